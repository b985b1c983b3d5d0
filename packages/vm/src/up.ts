import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Distribution } from "@msf/catalog";
import { isProcessAlive, MsfError } from "@msf/core";
import { requireDistribution } from "@msf/iso";
import {
  type AccelVerdict,
  bootRetryReason,
  defaultBudgets,
  detectAccelerator,
  diskTools,
  type LaunchedMachine,
  machineProbes,
  oneMoreTry,
  QmpClient,
  queryStatus,
  type ReadinessEvent,
  type ReadinessSummary,
  resumeMachine,
  type StoredImage,
  stopMachine,
  waitForReadiness,
} from "@msf/qemu";
import type { SshSession } from "@msf/ssh";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "./connect.ts";
import { makeVmCredentials, type VmCredentials } from "./credentials.ts";
import { goldenImage, type ImageChoice, type ImageEvent } from "./image.ts";
import { launchVm } from "./launch.ts";
import { withVmLock } from "./lock.ts";
import { readVmState, type VmState, vmDir, writeVmState } from "./state.ts";

export type VmUpEvent =
  | ImageEvent
  | { type: "image"; distro: string; key: string; dir: string; built: boolean; ms: number }
  | { type: "accelerator"; accel: AccelVerdict["accel"]; reason: string; cached: boolean }
  | { type: "launched"; name: string; pid: number; ports: Record<string, number>; serialLog: string }
  | { type: "boot-retry"; name: string; attempt: number; serialLog: string; message: string }
  | ReadinessEvent;

export interface VmUpOptions {
  distro: string;
  /** Defaults to the distribution id. */
  name?: string;
  memoryMiB?: number;
  cpus?: number;
  /** The VM is ended after this long, whatever happens to msf (default 4 h). */
  lifetimeMs?: number;
  /** Leave a VM that failed to boot running, to inspect it. */
  keepOnFailure?: boolean;
  /** End the VM when this process dies, SIGKILL included (a queue worker's VMs); by default it outlives msf. */
  endsWithProcess?: boolean;
  /** Probe the accelerator again instead of using the remembered verdict. */
  reprobe?: boolean;
  /** Boot this golden image (already verified by the caller) instead of finding or building the distribution's. */
  image?: StoredImage;
  /** Otherwise, which one: the archive's current state (default), last-good, a key, offline, refreshed. */
  choice?: ImageChoice;
  onEvent?: (event: VmUpEvent) => void;
}

export interface VmUpResult {
  name: string;
  distro: string;
  pid: number;
  accel: AccelVerdict["accel"];
  /** The VM was already up; nothing was started. */
  alreadyRunning: boolean;
  ssh: { host: string; port: number; user: string; keyPath: string; knownHostsPath: string; command: string };
  ports: Record<string, number>;
  phases: ReadinessSummary["phases"];
  /** QEMU process start to `system`. */
  readyMs: number | undefined;
  image: { key: string; dir: string; built: boolean };
  serialLog: string;
  dir: string;
  expiresAt: string;
}

const DEFAULT_LIFETIME_MS = 4 * 3_600_000;

/** Builds (or reuses) the distribution's golden image and boots a VM of it to `system`. */
export async function vmUp(ctx: MsfContext, options: VmUpOptions): Promise<VmUpResult> {
  const distribution = requireDistribution(options.distro);
  const name = options.name ?? distribution.id;
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new MsfError("ERR_MSF_USAGE", `VM name ${name} must be lowercase letters, digits, dots and dashes`);
  return withVmLock(ctx, name, async () => {
    const existing = await readVmState(ctx.paths.vms, name);
    if (existing && existing.status !== "stopped" && isProcessAlive(existing.pid, existing.startTicks)) return await reuseVm(existing);
    return await bootNew(ctx, options, name, distribution);
  });
}

/** The accelerator VMs of this image get (probed once, then remembered per host). */
export function vmAccelerator(ctx: MsfContext, image: StoredImage, reprobe?: boolean): Promise<AccelVerdict & { cached: boolean }> {
  return detectAccelerator({ supervisor: ctx.supervisor, kernel: image.kernel, cacheFile: join(ctx.paths.cache, "accel.json"), reprobe });
}

async function bootNew(ctx: MsfContext, options: VmUpOptions, name: string, distribution: Distribution): Promise<VmUpResult> {
  const emit = options.onEvent ?? (() => {});
  const imageStarted = Date.now();
  const { image, built } = options.image ? { image: options.image, built: false } : await goldenImage(ctx, distribution, { ...options.choice, onEvent: emit });
  emit({ type: "image", distro: distribution.id, key: image.manifest.key, dir: image.dir, built, ms: Date.now() - imageStarted });

  const verdict = await vmAccelerator(ctx, image, options.reprobe);
  emit({ type: "accelerator", accel: verdict.accel, reason: verdict.reason, cached: verdict.cached });

  const dir = vmDir(ctx.paths.vms, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const credentials = await makeVmCredentials(dir, name);
  const boot: BootInput = { name, distribution, image, built, accel: verdict.accel, dir, credentials };
  // Some boots fail by chance (under TCG a guest kernel now and then panics while it patches its
  // own code): one more boot from a fresh overlay; the first console stays as evidence.
  return oneMoreTry(
    {
      serialLog: join(dir, "serial.log"),
      reason: bootRetryReason,
      onRetry: ({ attempt, serialLog, why }) =>
        emit({ type: "boot-retry", name, attempt, serialLog, message: `${why}: booting once more (first console: ${serialLog})` }),
    },
    () => bootOnce(ctx, options, boot),
  );
}

export interface BootInput {
  name: string;
  distribution: Distribution;
  image: StoredImage;
  built: boolean;
  accel: AccelVerdict["accel"];
  dir: string;
  credentials: VmCredentials;
  /** Boot the VM's own disk again (a reboot), not a fresh overlay of the image. */
  keepOverlay?: boolean;
}

/** Launches QEMU (on a fresh overlay of the image, unless rebooting) and waits until the VM is ready; ends it if not. */
export async function bootOnce(ctx: MsfContext, options: Omit<VmUpOptions, "distro">, boot: BootInput): Promise<VmUpResult> {
  const emit = options.onEvent ?? (() => {});
  const { name, distribution, image, dir, credentials } = boot;
  const overlay = join(dir, "overlay.qcow2");
  if (!boot.keepOverlay) {
    await rm(overlay, { force: true });
    await diskTools(ctx.supervisor).overlay(image.disk, overlay);
  }
  const { machine, state } = await launchVm(ctx, {
    name,
    distribution,
    image,
    dir,
    overlay,
    credentials,
    accel: boot.accel,
    lifetimeMs: options.lifetimeMs ?? DEFAULT_LIFETIME_MS,
    endsWithProcess: options.endsWithProcess,
    memoryMiB: options.memoryMiB,
    cpus: options.cpus,
    sshUser: image.manifest.sshUser,
  });
  const sshPort = state.ssh.port;
  emit({ type: "launched", name, pid: machine.process.pid, ports: machine.ports, serialLog: state.serialLog });

  let session: SshSession | undefined;
  try {
    const summary = await waitForReadiness({
      name,
      startedAt: machine.startedAt,
      budgets: defaultBudgets(boot.accel, ctx.timeoutScale),
      probes: machineProbes({
        qmp: machine.qmp,
        tap: machine.tap,
        ssh: {
          host: "127.0.0.1",
          port: sshPort,
          username: state.ssh.user,
          privateKey: await readPrivateKey(credentials.keyPath),
          hostKey: credentials.hostPublicKey,
        },
        onSession: (s) => {
          session = s;
        },
      }),
      exited: machine.exited,
      lastConsoleLines: () => machine.tap.lastLines(20),
      onEvent: emit,
      signal: ctx.signal,
    });
    await writeVmState({ ...state, status: "ready", readiness: summary });
    return toResult({ ...state, status: "ready", readiness: summary }, { alreadyRunning: false, built: boot.built });
  } catch (error) {
    await writeVmState({ ...state, status: options.keepOnFailure ? "failed" : "stopped", stoppedBy: options.keepOnFailure ? undefined : "boot-failure" });
    if (!options.keepOnFailure) await killMachine(machine);
    throw error;
  } finally {
    session?.close();
    machine.qmp.close();
    await machine.tap.stop();
  }
}

export async function killMachine(machine: LaunchedMachine): Promise<void> {
  await stopMachine({
    qmp: machine.qmp,
    graceMs: 0,
    forceKill: async () => {
      machine.process.kill();
      await machine.exited;
    },
  });
  await machine.exited;
}

/** A VM that is up already: checked over SSH, nothing started. */
export async function reuseVm(state: VmState): Promise<VmUpResult> {
  // A ready snapshot's save cut short (msf killed while it wrote) leaves the VM paused: it goes on.
  const qmp = await QmpClient.connect(state.qmpSocket, { timeoutMs: 5_000 }).catch(() => undefined);
  if (qmp && !(await queryStatus(qmp).catch(() => ({ running: true }))).running) await resumeMachine(qmp).catch(() => {});
  qmp?.close();
  const session = await connectVm(state, { timeoutMs: 15_000 }).catch((error: unknown) => {
    throw new MsfError("ERR_MSF_SSH", `${state.name} is running (pid ${state.pid}) but does not answer over SSH`, {
      hint: `msf vm down ${state.name}, then up again`,
      cause: error,
    });
  });
  session.close();
  return toResult(state, { alreadyRunning: true, built: false });
}

export function toResult(state: VmState, flags: { alreadyRunning: boolean; built: boolean }): VmUpResult {
  const { ssh } = state;
  return {
    name: state.name,
    distro: state.distro,
    pid: state.pid,
    accel: state.accel,
    alreadyRunning: flags.alreadyRunning,
    ssh: {
      host: ssh.host,
      port: ssh.port,
      user: ssh.user,
      keyPath: ssh.keyPath,
      knownHostsPath: ssh.knownHostsPath,
      command: `ssh -i ${ssh.keyPath} -o UserKnownHostsFile=${ssh.knownHostsPath} -p ${ssh.port} ${ssh.user}@${ssh.host}`,
    },
    ports: state.ports,
    phases: (state.readiness?.phases ?? {}) as VmUpResult["phases"],
    readyMs: state.readiness?.readyMs,
    image: { key: state.image.key, dir: state.image.dir, built: flags.built },
    serialLog: state.serialLog,
    dir: state.dir,
    expiresAt: state.expiresAt,
  };
}

function readPrivateKey(path: string): Promise<string> {
  return readFile(path, "utf8");
}
