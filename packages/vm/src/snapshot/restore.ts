import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { isProcessAlive } from "@msf/core";
import { requireDistribution } from "@msf/iso";
import { diskTools, restoreMachineState, type StoredImage } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { makeVmCredentials } from "../credentials.ts";
import { launchVm } from "../launch.ts";
import { withVmLock } from "../lock.ts";
import { mailDir } from "../mail/state.ts";
import { readVmState, type VmState, vmDir, writeVmState } from "../state.ts";
import { killMachine, reuseVm, toResult, type VmUpResult } from "../up.ts";
import { connectWhenUp, rotateCredentials } from "./rotate.ts";
import type { StoredSnapshot } from "./store.ts";

export interface VmRestoreOptions {
  distro: string;
  name: string;
  /** The golden image the snapshot's disk layer is over. */
  image: StoredImage;
  snapshot: StoredSnapshot;
  lifetimeMs: number;
  endsWithProcess?: boolean;
  onLine?: (line: string) => void;
}

/**
 * A VM from a ready snapshot instead of a boot: QEMU started paused with the snapshot's machine,
 * its memory and devices loaded, a fresh overlay over its disk. Before anything else it gets its own
 * SSH keys and the host's clock (rotateCredentials); its deploy (`mailDeploy` with `rotate`) gives it
 * its own mail secrets.
 */
export function vmRestore(ctx: MsfContext, options: VmRestoreOptions): Promise<VmUpResult> {
  return withVmLock(ctx, options.name, async () => {
    const existing = await readVmState(ctx.paths.vms, options.name);
    if (existing && existing.status !== "stopped" && isProcessAlive(existing.pid, existing.startTicks)) return await reuseVm(existing);
    return await restoreNew(ctx, options);
  });
}

async function restoreNew(ctx: MsfContext, options: VmRestoreOptions): Promise<VmUpResult> {
  const { name, image, snapshot } = options;
  const distribution = requireDistribution(options.distro);
  const dir = vmDir(ctx.paths.vms, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const credentials = await makeVmCredentials(dir, name);
  // The snapshot's deployment record: what its deploy rotates the secrets of.
  await mkdir(mailDir(dir), { recursive: true });
  await copyFile(join(snapshot.dir, "deployment.json"), join(mailDir(dir), "deployment.json"));
  const overlay = join(dir, "overlay.qcow2");
  await diskTools(ctx.supervisor).overlay(snapshot.disk, overlay);
  const { machine, state } = await launchVm(ctx, {
    name,
    distribution,
    image,
    dir,
    overlay,
    credentials,
    accel: snapshot.manifest.accel,
    lifetimeMs: options.lifetimeMs,
    endsWithProcess: options.endsWithProcess,
    memoryMiB: snapshot.manifest.memoryMiB,
    cpus: snapshot.manifest.cpus,
    sshUser: snapshot.manifest.sshUser,
    restoredFrom: snapshot.manifest.key,
  });
  const sshPort = state.ssh.port;
  try {
    const restored = await restoreMachineState(machine.qmp, snapshot.state, { timeoutMs: 120_000 * ctx.timeoutScale, signal: ctx.signal });
    options.onLine?.(`restored snapshot ${snapshot.manifest.key} in ${(restored.ms / 1000).toFixed(1)} s`);
    // Reached once with the snapshot's keys, only to replace them with this VM's own.
    const target = { host: "127.0.0.1", port: sshPort, username: state.ssh.user };
    const session = await connectWhenUp(
      { ...target, privateKey: await readFile(snapshot.keyPath, "utf8"), hostKey: snapshot.manifest.hostPublicKey },
      { timeoutMs: 60_000 * ctx.timeoutScale, signal: ctx.signal },
    );
    try {
      await rotateCredentials(session, {
        authorizedKey: credentials.publicKey,
        hostPrivateKey: await readFile(credentials.hostKeyPath, "utf8"),
        signal: ctx.signal,
      });
    } finally {
      session.close();
    }
    // The proof the rotation took: this VM's own key, and its own host key pinned (once sshd, reloading, listens again).
    (
      await connectWhenUp(
        { ...target, privateKey: await readFile(credentials.keyPath, "utf8"), hostKey: credentials.hostPublicKey },
        { timeoutMs: 30_000 * ctx.timeoutScale, signal: ctx.signal },
      )
    ).close();
    const readyMs = Date.now() - machine.startedAt;
    const ready: VmState = { ...state, status: "ready", readiness: { phases: { restore: { atMs: restored.ms, durationMs: restored.ms } }, readyMs } };
    await writeVmState(ready);
    return toResult(ready, { alreadyRunning: false, built: false });
  } catch (error) {
    await writeVmState({ ...state, status: "stopped", stoppedBy: "restore-failure" });
    await killMachine(machine);
    throw error;
  } finally {
    machine.qmp.close();
    await machine.tap.stop();
  }
}
