import { accessSync, constants, existsSync } from "node:fs";
import { mkdir, statfs } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { detectAccelerator, listImages } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { findExecutable } from "@msf/supervisor";
import type { DoctorCheck } from "./check.ts";
import { checkMirror } from "./mirror.ts";

/** Host tools msf runs, with the Debian package that provides each. */
export const HOST_TOOLS = [
  { command: "qemu-system-x86_64", apt: "qemu-system-x86", why: "runs the VMs" },
  { command: "qemu-img", apt: "qemu-utils", why: "creates overlays and golden images" },
  { command: "mmdebstrap", apt: "mmdebstrap", why: "builds Debian systems from the archive" },
  { command: "mke2fs", apt: "e2fsprogs", why: "turns a root directory into an ext4 image" },
  { command: "xorriso", apt: "xorriso", why: "reads and writes ISO images" },
  { command: "ssh", apt: "openssh-client", why: "interactive `msf vm ssh`" },
  { command: "timeout", apt: "coreutils", why: "the backstop that ends every child at its deadline" },
  { command: "gpgv", apt: "gpgv", why: "verifies signed checksum files of install media" },
  { command: "xz", apt: "xz-utils", why: "reads the Debian archive's package indexes" },
  { command: "dpkg-deb", apt: "dpkg", why: "unpacks the Debian installer's netboot package" },
  { command: "openssl", apt: "openssl", why: "makes each deployment's TLS certificate" },
] as const;

export interface DoctorOptions {
  /** Boot a kernel under KVM again instead of using the remembered verdict. */
  reprobe?: boolean;
  /** Skip the network check of the Debian mirror. */
  offline?: boolean;
}

export async function runDoctor(ctx: MsfContext, options: DoctorOptions = {}): Promise<{ ok: boolean; checks: DoctorCheck[] }> {
  const checks: DoctorCheck[] = [nodeCheck(), rootCheck()];
  for (const tool of HOST_TOOLS) {
    const path = findExecutable(tool.command, ctx.env);
    checks.push(
      path
        ? { id: tool.command, status: "ok", detail: path }
        : { id: tool.command, status: "fail", detail: `not found (${tool.why})`, hint: `apt-get install -y ${tool.apt}` },
    );
  }
  checks.push(await diskCheck(ctx.paths.cache), memoryCheck(), await writableCheck(ctx.paths.state));
  if (checks.some((c) => c.id === "qemu-system-x86_64" && c.status === "ok")) checks.push(await acceleratorCheck(ctx, options.reprobe));
  if (!options.offline) checks.push(await checkMirror("http://deb.debian.org/debian"));
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const ok = major > 22 || (major === 22 && minor >= 18);
  return ok
    ? { id: "node", status: "ok", detail: `v${process.versions.node}` }
    : { id: "node", status: "fail", detail: `v${process.versions.node}`, hint: "msf needs Node 22.18 or later" };
}

function rootCheck(): DoctorCheck {
  return process.getuid?.() === 0
    ? { id: "root", status: "ok", detail: "running as root (needed to build images)" }
    : { id: "root", status: "warn", detail: "not root: cached images work, building new ones does not", hint: "run as root to build images" };
}

async function diskCheck(cacheDir: string): Promise<DoctorCheck> {
  let dir = cacheDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const stats = await statfs(dir);
  const freeGiB = (stats.bavail * stats.bsize) / 2 ** 30;
  const detail = `${freeGiB.toFixed(1)} GiB free for ${cacheDir}`;
  if (freeGiB >= 20) return { id: "disk", status: "ok", detail };
  return { id: "disk", status: freeGiB >= 5 ? "warn" : "fail", detail, hint: "each golden image takes ~0.3-1 GiB and each build ~2 GiB while it runs" };
}

function memoryCheck(): DoctorCheck {
  const gib = totalmem() / 2 ** 30;
  const detail = `${gib.toFixed(1)} GiB, ${availableParallelism()} CPUs`;
  return gib >= 4 ? { id: "memory", status: "ok", detail } : { id: "memory", status: "warn", detail, hint: "a Debian VM with the mail stack wants 2 GiB" };
}

async function writableCheck(stateDir: string): Promise<DoctorCheck> {
  try {
    await mkdir(stateDir, { recursive: true });
    accessSync(stateDir, constants.W_OK);
    return { id: "state", status: "ok", detail: stateDir };
  } catch (error) {
    return { id: "state", status: "fail", detail: `${stateDir}: ${(error as Error).message}`, hint: "set MSF_HOME to a writable directory" };
  }
}

async function acceleratorCheck(ctx: MsfContext, reprobe?: boolean): Promise<DoctorCheck> {
  const kernel = (await listImages(ctx.paths.images)).find((image) => image.kernel)?.kernel;
  const verdict = await detectAccelerator({ supervisor: ctx.supervisor, kernel, cacheFile: join(ctx.paths.cache, "accel.json"), reprobe });
  const detail = `${verdict.accel}: ${verdict.reason}${verdict.cached ? " (remembered)" : ""}`;
  if (verdict.accel === "kvm") return { id: "accelerator", status: "ok", detail };
  return {
    id: "accelerator",
    status: "warn",
    detail,
    hint: verdict.conclusive ? "VMs run under TCG (software emulation): slower, still correct" : "run `msf vm up debian-12` once, then `msf doctor --reprobe`",
  };
}
