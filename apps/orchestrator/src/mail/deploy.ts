import { readFile } from "node:fs/promises";
import { findDistribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { DEFAULT_MESSAGE_SIZE_LIMIT, DEFAULT_SETUP, type DeployEvent, deployMailStack, ensureRunTls, loadMsfJson, MailSetupSchema } from "@msf/mailtest";
import { connectSsh } from "@msf/ssh";
import type { MsfContext } from "../context.ts";
import { requireRunningVm } from "../vm/exec.ts";
import { type Deployment, loadSecrets, mailDir, saveDeployment, saveSecrets, withPasswords } from "./state.ts";

export interface MailDeployOptions {
  name: string;
  /** A Mail Server Factory JSON configuration (Examples/*.json) for domain and accounts. */
  config?: string;
  /** Run signatures updates with freshclam (needs internet in the guest). */
  freshclam?: boolean;
  onEvent?: (event: DeployEvent) => void;
}

/** Deploys the built-in mail stack recipe into a running VM; a second run changes nothing. */
export async function mailDeploy(ctx: MsfContext, options: MailDeployOptions): Promise<Deployment> {
  const vm = await requireRunningVm(ctx, options.name);
  const distribution = findDistribution(vm.distro);
  if (!distribution) throw new MsfError("ERR_MSF_NOT_FOUND", `the VM's distribution ${vm.distro} is not in the catalog`);
  const dir = mailDir(vm.dir);
  const setup = MailSetupSchema.parse(options.config ? (await loadMsfJson(options.config)).setup : DEFAULT_SETUP);
  const secrets = await loadSecrets(dir);
  const accounts = withPasswords(setup.accounts, secrets);
  await saveSecrets(dir, secrets);
  for (const account of accounts) ctx.logger.addSecret(account.password);
  ctx.logger.addSecret(secrets.dbPassword);
  const tls = await ensureRunTls(`${dir}/tls`, setup.hostname, ctx.supervisor);
  const session = await connectSsh(
    { host: vm.ssh.host, port: vm.ssh.port, username: vm.ssh.user, privateKey: await readFile(vm.ssh.keyPath, "utf8"), hostKey: vm.ssh.hostKey },
    { timeoutMs: 30_000, signal: ctx.signal },
  );
  try {
    const result = await deployMailStack({
      session,
      family: distribution.packageFamily,
      setup: { ...setup, accounts },
      secrets,
      tls,
      freshclam: options.freshclam,
      onEvent: options.onEvent,
      signal: ctx.signal,
    });
    const deployment: Deployment = {
      schemaVersion: 1,
      deployer: { kind: "builtin" },
      domain: setup.domain,
      hostname: setup.hostname,
      accounts: setup.accounts.map(({ address, role, aliases }) => ({ address, role, aliases })),
      dkim: result.dkim,
      dkimSelector: "msf",
      caPath: tls.caPath,
      messageSizeLimit: DEFAULT_MESSAGE_SIZE_LIMIT,
      dovecot: result.dovecot,
      freshclam: Boolean(options.freshclam),
      deployedAt: new Date().toISOString(),
      durationMs: result.durationMs,
      steps: result.steps,
    };
    await saveDeployment(dir, deployment);
    return deployment;
  } finally {
    session.close();
  }
}
