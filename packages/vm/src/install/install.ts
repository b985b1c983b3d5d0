import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import type { MediaEvent } from "@msf/iso";
import { requireDistribution } from "@msf/iso";
import {
  type ConfigRequest,
  type InstallKind,
  type InstallWatchEvent,
  type InstallWatchResult,
  installerKernelArgs,
  PLACEHOLDER_KEY,
  placeholderProfile,
  renderInstallConfig,
  startConfigServer,
  watchInstall,
} from "@msf/preseed";
import {
  type Accelerator,
  detectAccelerator,
  diskTools,
  endMachine,
  launchMachine,
  type MachineSpecInput,
  oneMoreTry,
  publishImage,
  qemuCrashSignal,
  type StoredImage,
} from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { makeVmCredentials, qmpSocketPath, removeCredentials } from "../credentials.ts";
import { guestTimeoutScale } from "../timeouts.ts";
import { type BootCheck, bootCheck } from "./boot-check.ts";
import { installerBoot } from "./boot-files.ts";

export type InstallEvent =
  | { type: "install-step"; step: string; detail: string }
  | { type: "install-retry"; attempt: number; serialLog: string; message: string }
  | { type: "config-request"; request: ConfigRequest }
  | InstallWatchEvent
  | MediaEvent;

export interface InstallOptions {
  distro: string;
  from: "iso" | "netboot";
  iso?: string;
  mirror?: string;
  /** Appended to the installer's kernel command line. */
  append?: string[];
  /** No installer console progress for this long fails the install (default 5 min, scaled). */
  silenceMs?: number;
  /** Default: the catalog's install timeout, scaled. */
  timeoutMs?: number;
  /** How to prove the installed disk boots (default: firmware boot to a login prompt); false skips it. */
  bootCheck?: BootCheck | false;
  onEvent?: (event: InstallEvent) => void;
}

export interface InstallResult {
  distro: string;
  from: "iso" | "netboot";
  phases: Array<{ phase: string; atMs: number }>;
  installMs: number;
  configFetches: ConfigRequest[];
  bootCheckMs?: number;
  image: { dir: string; key: string; sha256: string; sizeBytes: number };
  serialLog: string;
}

/** Installs a distribution with its own installer, unattended, and archives the disk as a golden image. */
export async function install(ctx: MsfContext, options: InstallOptions): Promise<InstallResult> {
  const distribution = requireDistribution(options.distro);
  const emit = options.onEvent ?? (() => {});
  const step = (name: string, detail: string) => emit({ type: "install-step", step: name, detail });
  const dir = join(ctx.paths.state, "installs", distribution.id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  const boot = await installerBoot(ctx, distribution, { from: options.from, iso: options.iso, mirror: options.mirror, dir, onEvent: emit });
  step("boot-files", `${boot.kernel} + ${boot.initrd} from ${boot.source}`);
  const credentials = await makeVmCredentials(dir, `install-${distribution.id}`);
  const profile = placeholderProfile({ hostname: distribution.id.replace(/\./g, "-"), user: { name: "msf", sshPublicKey: credentials.publicKey } });
  const config = renderInstallConfig(distribution, profile);
  const server = await startConfigServer({ files: config.files });
  server.onRequest((request) => emit({ type: "config-request", request }));
  step("config-server", `${Object.keys(config.files).join(", ")} served on 127.0.0.1:${server.port} (guest: 10.0.2.2)`);

  const accel = (await detectAccelerator({ supervisor: ctx.supervisor, kernel: boot.kernel, cacheFile: join(ctx.paths.cache, "accel.json") })).accel;
  const disk = join(dir, "disk.qcow2");
  const scale = guestTimeoutScale(ctx.timeoutScale, accel);
  const timeoutMs = options.timeoutMs ?? distribution.resources.installTimeoutMinutes * 60_000 * scale;
  const serialLog = join(dir, "serial.log");
  const append = [...installerKernelArgs(distribution, profile, server.guestUrl, boot.volumeId), ...(options.append ?? [])].join(" ");
  const installer: InstallerRun = {
    spec: {
      name: `install-${distribution.id}`,
      memoryMiB: distribution.resources.memoryMiB,
      cpus: Math.min(distribution.resources.cpus, 2),
      disks: [
        { path: disk },
        ...(boot.iso ? [{ path: boot.iso, format: "raw" as const, media: "cdrom" as const, interface: "ide" as const, readOnly: true }] : []),
      ],
      boot: { kind: "kernel", kernel: boot.kernel, initrd: boot.initrd, append },
      serialLog,
      qmpSocket: qmpSocketPath(dir),
    },
    disk,
    diskSize: `${distribution.resources.diskGiB}G`,
    accel,
    kind: config.kind,
    distro: distribution.id,
    silenceMs: options.silenceMs ?? 5 * 60_000 * scale,
    timeoutMs,
    onEvent: emit,
  };
  try {
    const watched = await runInstallerOnceMore(ctx, installer);
    const configFetches = server.requests.filter((request) => request.status === 200);
    if (!configFetches.length) throw new MsfError("ERR_MSF_INSTALL", "the guest powered off without fetching its install config", { hint: `see ${serialLog}` });
    await server.close();
    step("installed", `powered off after ${Math.round(watched.durationMs / 1000)} s`);

    const check = options.bootCheck === false ? undefined : await bootCheck(ctx, { disk, accel, dir, check: options.bootCheck, distro: distribution.id });
    if (check) step("boot-check", `the installed disk booted to ${check.matched} in ${Math.round(check.ms / 1000)} s`);

    const image = await archive(ctx, {
      distro: distribution.id,
      disk,
      dir,
      key: imageKey(distribution.id, config.files, boot.source),
      installMs: watched.durationMs,
      recipe: { installer: config.kind, from: options.from, source: boot.source },
    });
    step("archived", `${image.dir} (sha256 ${image.manifest.disk.sha256.slice(0, 16)}…)`);
    return {
      distro: distribution.id,
      from: options.from,
      phases: watched.phases,
      installMs: watched.durationMs,
      configFetches,
      bootCheckMs: check?.ms,
      image: { dir: image.dir, key: image.manifest.key, sha256: image.manifest.disk.sha256, sizeBytes: image.manifest.disk.sizeBytes },
      serialLog,
    };
  } finally {
    await server.close();
    // The install's key is in the image; each VM of it gets its own (msf-credentials replaces it): this one is of no more use.
    await removeCredentials(dir);
  }
}

interface InstallerRun {
  spec: MachineSpecInput;
  /** The installer's target disk (the spec's first), made afresh for each attempt. */
  disk: string;
  diskSize: string;
  accel: Accelerator;
  kind: InstallKind;
  distro: string;
  silenceMs: number;
  timeoutMs: number;
  onEvent: (event: InstallEvent) => void;
}

/** QEMU itself crashing (seen once under TCG: SIGSEGV a second into the installer) gets one more install on a fresh disk. */
function runInstallerOnceMore(ctx: MsfContext, run: InstallerRun): Promise<InstallWatchResult> {
  return oneMoreTry(
    {
      serialLog: run.spec.serialLog,
      reason: (error) => {
        const crash = qemuCrashSignal((error as MsfError).details);
        return crash && `QEMU crashed (${crash})`;
      },
      onRetry: ({ attempt, serialLog, why }) =>
        run.onEvent({ type: "install-retry", attempt, serialLog, message: `${why}: installing once more on a fresh disk (first console: ${serialLog})` }),
    },
    () => runInstaller(ctx, run),
  );
}

/** One installer boot on a fresh disk, watched until the guest powers off; QEMU is ended either way. */
async function runInstaller(ctx: MsfContext, run: InstallerRun): Promise<InstallWatchResult> {
  await rm(run.disk, { force: true });
  await diskTools(ctx.supervisor).create(run.disk, run.diskSize);
  const machine = await launchMachine({
    spec: run.spec,
    accel: run.accel,
    supervisor: ctx.supervisor,
    lifetimeMs: run.timeoutMs + 60_000,
    meta: { distro: run.distro, kind: "install" },
  });
  try {
    run.onEvent({ type: "install-step", step: "installer", detail: `booted (${run.accel}); watching the console: ${run.spec.serialLog}` });
    return await watchInstall({
      kind: run.kind,
      tap: machine.tap,
      exited: machine.exited,
      startedAt: machine.startedAt,
      silenceMs: run.silenceMs,
      timeoutMs: run.timeoutMs,
      signal: ctx.signal,
      onEvent: run.onEvent,
    });
  } finally {
    await endMachine(machine);
  }
}

/** The golden image's cache key: what went in (the config as rendered with the placeholder key, the media), not the run's key. */
function imageKey(distro: string, files: Record<string, string>, source: string): string {
  const stable = Object.entries(files).map(([name, text]) => [name, text.replaceAll(/ssh-ed25519 \S+ msf@\S+/g, PLACEHOLDER_KEY)]);
  return createHash("sha256")
    .update(JSON.stringify({ v: 1, distro, stable, source }))
    .digest("hex")
    .slice(0, 16);
}

async function archive(
  ctx: MsfContext,
  input: { distro: string; disk: string; dir: string; key: string; installMs: number; recipe: Record<string, unknown> },
): Promise<StoredImage> {
  const compressed = join(input.dir, "golden.qcow2");
  await diskTools(ctx.supervisor).convert(input.disk, compressed, { compress: true });
  return publishImage({
    imagesDir: ctx.paths.images,
    distro: input.distro,
    key: input.key,
    files: { disk: compressed },
    manifest: { buildMs: input.installMs, recipe: input.recipe, append: "", sshUser: "root" },
  });
}
