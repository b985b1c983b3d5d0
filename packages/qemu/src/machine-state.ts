import { rename, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AbortedError, TimeoutError } from "@msf/core";
import { shellQuote } from "@msf/ssh";
import { type QmpClient, QmpError } from "./qmp.ts";

// A machine's memory and device state in a file, through QEMU's migration (QEMU 7.2 has no file:
// URI; exec: runs the command with /bin/sh). Restoring it in a QEMU started with the same devices
// and `-incoming defer` continues the guest where it was, without booting it.

/** QEMU's default cap is 128 MiB/s: a local file takes what the disk gives. */
const UNLIMITED_BANDWIDTH = 64 * 1024 ** 3;

export interface MachineStateOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Pure: the migration URIs that write the state to a file and read it back. */
export const stateUris = {
  save: (file: string) => `exec:cat > ${shellQuote([file])}`,
  load: (file: string) => `exec:cat ${shellQuote([file])}`,
};

/**
 * Pauses the machine and writes its state to `file` (through a temporary name). The machine stays
 * paused with its disks flushed, so the caller can copy them as they are; `resumeMachine` goes on.
 */
export async function saveMachineState(qmp: QmpClient, file: string, options: MachineStateOptions): Promise<{ bytes: number; ms: number }> {
  const started = Date.now();
  const partial = `${file}.partial`;
  await qmp.execute("migrate-set-parameters", { "max-bandwidth": UNLIMITED_BANDWIDTH });
  // Paused first: nothing is dirtied while it is written, so one pass writes each page once.
  await qmp.execute("stop");
  try {
    await qmp.execute("migrate", { uri: stateUris.save(partial) });
    const bytes = await migrationDone(qmp, "saving the machine's state", options);
    await rename(partial, file);
    return { bytes, ms: Date.now() - started };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Loads a state `saveMachineState` wrote into a machine launched with `incoming`, then runs it. */
export async function restoreMachineState(qmp: QmpClient, file: string, options: MachineStateOptions): Promise<{ ms: number }> {
  const started = Date.now();
  await qmp.execute("migrate-incoming", { uri: stateUris.load(file) });
  await migrationDone(qmp, "restoring the machine's state", options);
  await resumeMachine(qmp);
  return { ms: Date.now() - started };
}

export async function resumeMachine(qmp: QmpClient): Promise<void> {
  await qmp.execute("cont");
}

interface MigrationInfo {
  status?: string;
  "error-desc"?: string;
  ram?: { transferred?: number };
}

/** Polls the migration until it completes (its bytes) or fails; a deadline and the signal bound it. */
async function migrationDone(qmp: QmpClient, what: string, options: MachineStateOptions): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(what);
    const info = await qmp.execute<MigrationInfo>("query-migrate");
    if (info.status === "completed") return info.ram?.transferred ?? 0;
    if (info.status === "failed" || info.status === "cancelled") throw new QmpError(`${what} failed: ${info["error-desc"] ?? info.status}`);
    if (Date.now() > deadline) {
      await qmp.execute("migrate_cancel").catch(() => {});
      throw new TimeoutError(what, options.timeoutMs);
    }
    await sleep(50);
  }
}
