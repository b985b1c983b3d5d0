import { rm } from "node:fs/promises";
import { join } from "node:path";
import { isProcessAlive } from "@msf/core";
import { QmpClient, type StopOutcome, stopMachine } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { endTree } from "@msf/supervisor";
import { CREDENTIAL_FILES } from "./credentials.ts";
import { requireVm } from "./find.ts";
import { withVmLock } from "./lock.ts";
import { type VmState, writeVmState } from "./state.ts";

/** Per-VM secrets: SSH keys, the mail deployment's passwords and TLS keys. Removed when the VM goes down. */
const VM_SECRETS = [...CREDENTIAL_FILES, "mail/secrets.json", "mail/accounts.json", "mail/tls"];

export interface VmDownOptions {
  name: string;
  /** How long the guest may take to power off after the ACPI button (default 60 s, scaled). */
  graceMs?: number;
  onStep?: (step: "powerdown" | "quit" | "kill") => void;
}

export interface VmDownResult {
  name: string;
  pid: number;
  /** How QEMU ended: clean ACPI power-off, QMP quit, or a kill. */
  outcome: StopOutcome;
  durationMs: number;
}

/** Clean ACPI shutdown via QMP, then a hard stop after the grace period; leaves no process and no record. */
export async function vmDown(ctx: MsfContext, options: VmDownOptions): Promise<VmDownResult> {
  return withVmLock(ctx, options.name, async () => {
    const state = await requireVm(ctx.paths.vms, options.name);
    const started = Date.now();
    const outcome = await stopQemu(ctx, state, options.graceMs ?? 60_000 * ctx.timeoutScale, options.onStep);
    // Secrets and the overlay go; the console log, vm.json and check results stay for diagnostics.
    await Promise.all([...VM_SECRETS, "overlay.qcow2", "known_hosts"].map((file) => rm(join(state.dir, file), { recursive: true, force: true })));
    await rm(state.qmpSocket, { force: true });
    await writeVmState({ ...state, status: "stopped", stoppedAt: new Date().toISOString(), stoppedBy: outcome });
    return { name: state.name, pid: state.pid, outcome, durationMs: Date.now() - started };
  });
}

/** Ends a VM's QEMU (ACPI power-off, then quit, then kill, each only if needed) and its record; its files stay. */
export async function stopQemu(ctx: MsfContext, state: VmState, graceMs: number, onStep?: VmDownOptions["onStep"]): Promise<StopOutcome> {
  const record = (await ctx.registry.list()).find((view) => view.record.pid === state.pid && view.record.startTicks === state.startTicks)?.record;
  let outcome: StopOutcome = "already-stopped";
  if (isProcessAlive(state.pid, state.startTicks)) {
    const qmp = await QmpClient.connect(state.qmpSocket, { timeoutMs: 5_000 }).catch(() => undefined);
    outcome = await stopMachine({ qmp, graceMs, forceKill: async () => void (await endTree(state.pid, 5_000)), onStep });
    qmp?.close();
    // QEMU has closed QMP or been killed: make sure the whole tree (the backstop wrapper too) is gone.
    await endTree(state.pid, 5_000);
  }
  if (record) await ctx.registry.remove(record);
  return outcome;
}
