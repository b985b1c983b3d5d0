import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "@msf/core";
import { QmpClient, resumeMachine, saveMachineState } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "../connect.ts";
import { requireRunningVm } from "../exec.ts";
import { withVmLock } from "../lock.ts";
import { mailDir } from "../mail/state.ts";
import { settleGuest } from "./settle.ts";
import {
  findSnapshot,
  type SnapshotKeyInput,
  type SnapshotManifest,
  type StoredSnapshot,
  snapshotDir,
  snapshotKey,
  snapshotsDir,
  storedSnapshot,
} from "./store.ts";

/** Under emulation Rspamd's Hyperscan compile after its start is done ~25 s after the deploy (more on a loaded host). */
const SETTLE_LIMIT_MS = 90_000;

export interface SaveSnapshotOptions {
  /** The running VM to snapshot: deployed, idle, nothing of the run's own in it yet. */
  name: string;
  key: SnapshotKeyInput;
}

/**
 * Saves a running VM as a ready snapshot (its memory, its disk as a layer over the golden image,
 * its SSH keys) and lets it go on: first settled (its services' start-up work done), then paused
 * for the few seconds the state takes to write. Staged under a temporary name; an existing snapshot
 * of the key is kept as it is.
 */
export function saveSnapshot(ctx: MsfContext, options: SaveSnapshotOptions): Promise<StoredSnapshot> {
  return withVmLock(ctx, options.name, async () => {
    const vm = await requireRunningVm(ctx, options.name);
    const key = snapshotKey(options.key);
    const existing = await findSnapshot(ctx.paths.cache, vm.distro, key);
    if (existing) return existing;
    const session = await connectVm(vm, { signal: ctx.signal });
    const settled = await settleGuest(session, { timeoutMs: SETTLE_LIMIT_MS, signal: ctx.signal }).finally(() => session.close());
    const staging = join(snapshotsDir(ctx.paths.cache), vm.distro, `.partial-${randomBytes(6).toString("hex")}`);
    await mkdir(staging, { recursive: true });
    const qmp = await QmpClient.connect(vm.qmpSocket, { timeoutMs: 10_000, signal: ctx.signal });
    try {
      let saved: { bytes: number; ms: number };
      try {
        saved = await saveMachineState(qmp, join(staging, "state"), { timeoutMs: 300_000 * ctx.timeoutScale, signal: ctx.signal });
        // Paused and flushed: the overlay on the host is the disk the saved memory belongs with.
        await copyFile(join(vm.dir, "overlay.qcow2"), join(staging, "disk.qcow2"));
      } finally {
        await resumeMachine(qmp);
      }
      await copyFile(vm.ssh.keyPath, join(staging, "id_ed25519"));
      // What was deployed (no secret in it): a restored VM's deploy rotates from it.
      await copyFile(join(mailDir(vm.dir), "deployment.json"), join(staging, "deployment.json"));
      await chmod(join(staging, "id_ed25519"), 0o600);
      const manifest: SnapshotManifest = {
        schemaVersion: 1,
        key,
        distro: vm.distro,
        imageKey: options.key.imageKey,
        accel: options.key.accel,
        memoryMiB: options.key.memoryMiB,
        cpus: options.key.cpus,
        sshUser: vm.ssh.user,
        hostPublicKey: vm.ssh.hostKey,
        createdAt: new Date().toISOString(),
        stateBytes: saved.bytes,
        saveMs: saved.ms,
        settleMs: settled.ms,
      };
      await writeJsonAtomic(join(staging, "manifest.json"), manifest);
      const final = snapshotDir(ctx.paths.cache, vm.distro, key);
      // Another run may have saved the same key meanwhile: the first one stays.
      const raced = await rename(staging, final).then(
        () => false,
        () => true,
      );
      return raced ? ((await findSnapshot(ctx.paths.cache, vm.distro, key)) ?? storedSnapshot(final, manifest)) : storedSnapshot(final, manifest);
    } finally {
      qmp.close();
      await rm(staging, { recursive: true, force: true });
    }
  });
}
