import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { FAMILIES, type MailTarget, type MailTestOptions, type MailTestReport, type PackageFamily, runAndRecord } from "@msf/mailtest";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "../connect.ts";
import { requireRunningVm } from "../exec.ts";
import type { VmState } from "../state.ts";
import { guestTimeoutScale } from "../timeouts.ts";
import { loadDeployment, loadSecrets, mailDir } from "./state.ts";

/** A deployed VM as the checks see it: forwarded ports, its CA, its accounts with their passwords, an SSH session. */
export async function vmMailTarget(ctx: MsfContext, name: string): Promise<{ vm: VmState; target: MailTarget; family: PackageFamily; secrets: string[] }> {
  const vm = await requireRunningVm(ctx, name);
  const dir = mailDir(vm.dir);
  const deployment = await loadDeployment(dir);
  if (!deployment) throw new MsfError("ERR_MSF_NOT_FOUND", `nothing is deployed in ${name} yet`, { hint: `msf deploy ${name}` });
  const secrets = await loadSecrets(dir);
  const family = findDistribution(vm.distro)?.packageFamily ?? "apt";
  const ssh = await connectVm(vm, { signal: ctx.signal });
  const target: MailTarget = {
    hostname: deployment.hostname,
    domain: deployment.domain,
    endpoints: endpointsOf(vm),
    caPem: await readFile(deployment.caPath, "utf8"),
    accounts: deployment.accounts.map((a) => {
      const password = secrets.passwords[a.address];
      if (!password) throw new MsfError("ERR_MSF_CONFIG", `no password for ${a.address} in this VM's secrets`, { hint: `msf deploy ${name} again` });
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
  return { vm, target, family, secrets: masked };
}

/** Runs every acceptance check against a VM msf deployed (its forwarded ports, its CA, its accounts). */
export async function mailTest(ctx: MsfContext, options: MailTestOptions): Promise<MailTestReport> {
  const { vm, target, family, secrets } = await vmMailTarget(ctx, options.name);
  return runAndRecord({
    ...options,
    target,
    outDir: join(mailDir(vm.dir), "checks"),
    family,
    secrets,
    ssh: target.ssh, // closed by runAndRecord
    timeoutScale: guestTimeoutScale(ctx.timeoutScale, vm.accel),
  });
}

export function endpointsOf(vm: VmState): MailTarget["endpoints"] {
  const at = (name: string) => ({ host: "127.0.0.1", port: vm.ports[name] as number });
  return { smtp: at("smtp"), submission: at("submission"), smtps: at("smtps"), imap: at("imap"), imaps: at("imaps"), pop3: at("pop3"), pop3s: at("pop3s") };
}
