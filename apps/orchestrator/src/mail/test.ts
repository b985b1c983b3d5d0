import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { MsfError, writeJsonAtomic } from "@msf/core";
import { type CheckResult, collectDiagnostics, FAMILIES, type MailTarget, runChecks } from "@msf/mailtest";
import { connectSsh, type SshSession } from "@msf/ssh";
import type { MsfContext } from "../context.ts";
import { guestTimeoutScale } from "../timeouts.ts";
import { requireRunningVm } from "../vm/exec.ts";
import type { VmState } from "../vm/state.ts";
import { loadDeployment, loadSecrets, mailDir } from "./state.ts";

export interface MailTestOptions {
  name: string;
  /** Only these checks (the readiness gate always runs). */
  only?: string[];
  /** true: collect diagnostics even when everything passes; false: never; absent: when a check fails. */
  diagnostics?: boolean;
  onStart?: (check: { id: string; title: string }) => void;
  onResult?: (result: CheckResult) => void;
}

export interface MailTestReport {
  name: string;
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  checks: CheckResult[];
  /** Where the results (and diagnostics) were written. */
  dir: string;
  diagnostics?: string;
}

/** Runs every acceptance check against a VM msf deployed (its forwarded ports, its CA, its accounts). */
export async function mailTest(ctx: MsfContext, options: MailTestOptions): Promise<MailTestReport> {
  const vm = await requireRunningVm(ctx, options.name);
  const dir = mailDir(vm.dir);
  const deployment = await loadDeployment(dir);
  if (!deployment) throw new MsfError("ERR_MSF_NOT_FOUND", `nothing is deployed in ${options.name} yet`, { hint: `msf deploy ${options.name}` });
  const secrets = await loadSecrets(dir);
  const family = findDistribution(vm.distro)?.packageFamily ?? "apt";
  const ssh = await sshTo(vm, ctx.signal);
  const target: MailTarget = {
    hostname: deployment.hostname,
    domain: deployment.domain,
    endpoints: endpointsOf(vm),
    caPem: await readFile(deployment.caPath, "utf8"),
    accounts: deployment.accounts.map((a) => {
      const password = secrets.passwords[a.address];
      if (!password) throw new MsfError("ERR_MSF_CONFIG", `no password for ${a.address} in this VM's secrets`, { hint: `msf deploy ${options.name} again` });
      return { ...a, password };
    }),
    messageSizeLimit: deployment.messageSizeLimit,
    dkim: deployment.dkim[deployment.domain]
      ? { domain: deployment.domain, selector: deployment.dkimSelector, txt: deployment.dkim[deployment.domain] as string }
      : undefined,
    ssh,
    bundledSignaturesOnly: !deployment.freshclam,
    units: {
      smtp: FAMILIES[family].services.postfix,
      clamd: FAMILIES[family].services.clamd,
      rspamd: FAMILIES[family].services.rspamd,
      redis: FAMILIES[family].services.redis,
    },
  };
  const masked = [...Object.values(secrets.passwords), secrets.dbPassword];
  for (const secret of masked) ctx.logger.addSecret(secret);
  return runAndRecord({
    ...options,
    target,
    outDir: join(dir, "checks"),
    family,
    secrets: masked,
    ssh,
    timeoutScale: guestTimeoutScale(ctx.timeoutScale, vm.accel),
  });
}

interface RecordOptions extends MailTestOptions {
  target: MailTarget;
  outDir: string;
  family: keyof typeof FAMILIES;
  secrets: string[];
  ssh?: SshSession;
  /** For a VM under CPU emulation (see guestTimeoutScale); a real server needs none. */
  timeoutScale?: number;
}

/** Runs the checks, writes results.json, and collects diagnostics on failure (or when asked). */
export async function runAndRecord(options: RecordOptions): Promise<MailTestReport> {
  const startedAt = new Date();
  const dir = join(options.outDir, startedAt.toISOString().replace(/[:.]/g, "-"));
  try {
    const checks = await runChecks(options.target, {
      only: options.only,
      onStart: options.onStart,
      onResult: options.onResult,
      timeoutScale: options.timeoutScale,
    });
    const failed = checks.filter((c) => c.status === "fail" || c.status === "error").length;
    let diagnostics: string | undefined;
    if (options.ssh && options.diagnostics !== false && (failed > 0 || options.diagnostics)) {
      diagnostics = join(dir, "diagnostics");
      await collectDiagnostics(options.ssh, options.family, diagnostics, options.secrets);
      for (const check of checks) if (check.status === "fail" || check.status === "error") check.message += ` (diagnostics: ${diagnostics})`;
    }
    const report: MailTestReport = {
      name: options.name,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      passed: checks.filter((c) => c.status === "pass").length,
      failed,
      checks,
      dir,
      diagnostics,
    };
    await writeJsonAtomic(join(dir, "results.json"), report);
    return report;
  } finally {
    options.ssh?.close();
  }
}

export function endpointsOf(vm: VmState): MailTarget["endpoints"] {
  const at = (name: string) => ({ host: "127.0.0.1", port: vm.ports[name] as number });
  return { smtp: at("smtp"), submission: at("submission"), smtps: at("smtps"), imap: at("imap"), imaps: at("imaps"), pop3: at("pop3"), pop3s: at("pop3s") };
}

async function sshTo(vm: VmState, signal?: AbortSignal): Promise<SshSession> {
  return connectSsh(
    { host: vm.ssh.host, port: vm.ssh.port, username: vm.ssh.user, privateKey: await readFile(vm.ssh.keyPath, "utf8"), hostKey: vm.ssh.hostKey },
    { timeoutMs: 30_000, signal },
  );
}
