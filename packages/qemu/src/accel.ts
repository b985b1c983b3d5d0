import { accessSync, constants, existsSync } from "node:fs";
import { hostname, release } from "node:os";
import { readJsonIfExists, writeJsonAtomic } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { acceleratorArgs, QEMU_BINARY } from "./argv.ts";
import type { Accelerator } from "./spec.ts";

export interface AccelVerdict {
  accel: Accelerator;
  /** Why: what the probe saw. */
  reason: string;
  /** False when KVM could not be tried (no kernel to boot yet): then TCG is a guess, not remembered. */
  conclusive: boolean;
  host: HostIdentity;
  probedAt: string;
  probeMs: number;
}

export interface HostIdentity {
  hostname: string;
  kernel: string;
  qemu: string;
}

export interface ProbeOptions {
  supervisor: Supervisor;
  /** A Linux kernel to boot; without one only the presence of /dev/kvm can be checked. */
  kernel?: string;
  /** How long a kernel under KVM may stay silent before KVM is judged unusable. */
  timeoutMs?: number;
  devKvm?: string;
  /** The accelerator to try; only tests of the probe itself set "tcg". */
  tryAccel?: Accelerator;
}

/**
 * Decides between KVM and TCG by booting a real kernel under `-accel kvm`: on a nested,
 * paravirtual host /dev/kvm can exist while a guest under it prints nothing and spins.
 */
export async function probeAccelerator(options: ProbeOptions): Promise<AccelVerdict> {
  const started = Date.now();
  const host = await hostIdentity(options.supervisor);
  const verdict = (accel: Accelerator, reason: string, conclusive = true): AccelVerdict => ({
    accel,
    reason,
    conclusive,
    host,
    probedAt: new Date().toISOString(),
    probeMs: Date.now() - started,
  });
  const devKvm = options.devKvm ?? "/dev/kvm";
  if (!existsSync(devKvm)) return verdict("tcg", `${devKvm} does not exist`);
  try {
    accessSync(devKvm, constants.R_OK | constants.W_OK);
  } catch {
    return verdict("tcg", `${devKvm} is not readable and writable by this user`);
  }
  if (!options.kernel) return verdict("tcg", `${devKvm} exists but no kernel was available to test it`, false);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tried = options.tryAccel ?? "kvm";
  const printed = await kernelPrints(options.supervisor, options.kernel, tried, timeoutMs);
  if (printed.ok) return verdict(tried, `a kernel under ${tried} printed to its console in ${printed.ms} ms`);
  return verdict("tcg", printed.why);
}

async function kernelPrints(
  supervisor: Supervisor,
  kernel: string,
  accel: Accelerator,
  timeoutMs: number,
): Promise<{ ok: true; ms: number } | { ok: false; why: string }> {
  let resolveFirst: (at: number) => void = () => {};
  const firstLine = new Promise<number>((resolve) => {
    resolveFirst = resolve;
  });
  const started = Date.now();
  const child = await supervisor.start({
    name: "accel-probe",
    command: QEMU_BINARY,
    // No initrd and no root: the kernel prints, panics and (panic=-1, -no-reboot) QEMU exits.
    args: [
      ...acceleratorArgs(accel),
      "-m",
      "256M",
      "-nodefaults",
      "-display",
      "none",
      "-no-reboot",
      "-serial",
      "stdio",
      "-kernel",
      kernel,
      "-append",
      "console=ttyS0 earlyprintk=ttyS0 panic=-1",
    ],
    timeoutMs: timeoutMs + 2_000,
    graceMs: 1_000,
    onEvent: (event) => {
      if (event.type === "output" && event.stream === "stdout" && event.line.trim()) resolveFirst(Date.now());
    },
  });
  const silent = new Promise<"silent">((resolve) => setTimeout(() => resolve("silent"), timeoutMs).unref());
  const outcome = await Promise.race([firstLine, child.result, silent]);
  child.kill();
  const result = await child.result;
  if (typeof outcome === "number") return { ok: true, ms: outcome - started };
  if (outcome === "silent") return { ok: false, why: `a kernel booted with -accel ${accel} printed nothing in ${timeoutMs} ms` };
  const why = result.stderr.trim().split("\n").pop() ?? `exit code ${result.exitCode}`;
  return { ok: false, why: `QEMU could not start a guest with -accel ${accel}: ${why}` };
}

export async function hostIdentity(supervisor: Supervisor): Promise<HostIdentity> {
  const version = await supervisor.exec({ name: "qemu-version", command: QEMU_BINARY, args: ["--version"], timeoutMs: 10_000 });
  return { hostname: hostname(), kernel: release(), qemu: version.stdout.split("\n")[0]?.trim() ?? "unknown" };
}

export interface DetectOptions extends ProbeOptions {
  /** Where the verdict is remembered per host (hostname, kernel, QEMU version). */
  cacheFile: string;
  /** Ignore a remembered verdict. */
  reprobe?: boolean;
}

/** The remembered verdict for this host, or a fresh probe (remembered when conclusive). */
export async function detectAccelerator(options: DetectOptions): Promise<AccelVerdict & { cached: boolean }> {
  if (!options.reprobe) {
    const cached = (await readJsonIfExists(options.cacheFile)) as AccelVerdict | undefined;
    if (cached?.conclusive && sameHost(cached.host, await hostIdentity(options.supervisor))) return { ...cached, cached: true };
  }
  const verdict = await probeAccelerator(options);
  if (verdict.conclusive) await writeJsonAtomic(options.cacheFile, verdict);
  return { ...verdict, cached: false };
}

function sameHost(a: HostIdentity | undefined, b: HostIdentity): boolean {
  return a?.hostname === b.hostname && a.kernel === b.kernel && a.qemu === b.qemu;
}
