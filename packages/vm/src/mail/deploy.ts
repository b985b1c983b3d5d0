import { findDistribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import {
  DEFAULT_MESSAGE_SIZE_LIMIT,
  DEFAULT_SETUP,
  type DeployEvent,
  deployMailStack,
  ensureRunTls,
  loadMsfJson,
  type MailSetupInput,
  MailSetupSchema,
  rotateMailSecrets,
  userTls,
} from "@msf/mailtest";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "../connect.ts";
import { requireRunningVm } from "../exec.ts";
import { withVmLock } from "../lock.ts";
import { guestTimeoutScale } from "../timeouts.ts";
import { runExternalDeployer } from "./external.ts";
import { type Deployment, loadDeployment, loadSecrets, mailDir, saveDeployment, saveSecrets, withPasswords } from "./state.ts";

export interface MailDeployOptions {
  name: string;
  /** A Mail Server Factory JSON configuration (Examples/*.json) for domain and accounts. */
  config?: string;
  /** Includes of `config` may come from this directory and below (default: its own directory). */
  includeRoot?: string;
  /** Domain and accounts given directly (msf.config.yaml's `mail`); `config` wins. Default: msf.test. */
  setup?: MailSetupInput;
  /** Run signatures updates with freshclam (needs internet in the guest). */
  freshclam?: boolean;
  /** An external deployer's command line instead of the built-in recipe. */
  external?: string;
  /**
   * The VM was restored from a ready snapshot of msf's recipe (its deployment record came with it):
   * only its secrets are made anew and applied (rotateMailSecrets), nothing else is changed.
   */
  rotate?: boolean;
  /** Limit for the external deployer. */
  externalTimeoutMs?: number;
  onOutput?: (line: string) => void;
  /** A user-supplied certificate, its key and the CA that issued it, instead of the per-deployment ones. */
  tls?: { cert: string; key: string; ca: string };
  onEvent?: (event: DeployEvent) => void;
}

/**
 * Deploys the mail stack into a running VM: the built-in recipe (a second run changes nothing) or an
 * external deployer. Holds the VM's lock: two deploys at once would leave its secrets and database disagreeing.
 */
export function mailDeploy(ctx: MsfContext, options: MailDeployOptions): Promise<Deployment> {
  return withVmLock(ctx, options.name, () => deployLocked(ctx, options));
}

async function deployLocked(ctx: MsfContext, options: MailDeployOptions): Promise<Deployment> {
  const vm = await requireRunningVm(ctx, options.name);
  const distribution = findDistribution(vm.distro);
  if (!distribution) throw new MsfError("ERR_MSF_NOT_FOUND", `the VM's distribution ${vm.distro} is not in the catalog`);
  const dir = mailDir(vm.dir);
  const setup = MailSetupSchema.parse(
    options.config ? (await loadMsfJson(options.config, { includeRoot: options.includeRoot })).setup : (options.setup ?? DEFAULT_SETUP),
  );
  const secrets = await loadSecrets(dir);
  const accounts = withPasswords(setup.accounts, secrets);
  await saveSecrets(dir, secrets);
  for (const account of accounts) ctx.logger.addSecret(account.password);
  ctx.logger.addSecret(secrets.dbPassword);
  const tls = options.tls
    ? await userTls(options.tls.cert, options.tls.key, options.tls.ca)
    : await ensureRunTls(`${dir}/tls/${setup.hostname}`, setup.hostname, ctx.supervisor);
  const record = (result: Pick<Deployment, "deployer" | "dkim" | "durationMs" | "steps"> & { dovecot?: string }): Deployment => ({
    schemaVersion: 1,
    domain: setup.domain,
    hostname: setup.hostname,
    accounts: setup.accounts.map(({ address, role, aliases }) => ({ address, role, aliases })),
    dkimSelector: "msf",
    caPath: tls.caPath,
    messageSizeLimit: DEFAULT_MESSAGE_SIZE_LIMIT,
    freshclam: Boolean(options.freshclam),
    deployedAt: new Date().toISOString(),
    ...result,
  });
  if (options.external) {
    const external = await runExternalDeployer(ctx, {
      vm,
      command: options.external,
      dir,
      setup: { ...setup, accounts },
      tls,
      timeoutMs: options.externalTimeoutMs ?? 3_600_000,
      onOutput: options.onOutput,
    });
    const deployment = record({
      deployer: { kind: "external", command: external.command, exitCode: external.exitCode, log: external.log },
      dkim: external.dkim,
      durationMs: external.durationMs,
      steps: [],
    });
    await saveDeployment(dir, deployment);
    return deployment;
  }
  if (options.rotate) {
    const deployed = await loadDeployment(dir);
    const dovecot = deployed?.dovecot;
    if (deployed?.deployer.kind !== "builtin" || (dovecot !== "2.3" && dovecot !== "2.4")) {
      throw new MsfError("ERR_MSF_DEPLOY", `${options.name} holds no deployment of msf's recipe whose secrets could be rotated`, {
        hint: `msf deploy ${options.name}`,
      });
    }
    const session = await connectVm(vm, { signal: ctx.signal });
    try {
      const rotated = await rotateMailSecrets({
        session,
        family: distribution.packageFamily,
        dovecot,
        setup: { ...setup, accounts },
        secrets,
        tls,
        emulated: vm.accel === "tcg",
        timeoutScale: guestTimeoutScale(ctx.timeoutScale, vm.accel),
        signal: ctx.signal,
      });
      const steps = [{ name: "rotate", changed: rotated.changed, durationMs: rotated.durationMs }];
      const deployment = record({ deployer: { kind: "builtin" }, dkim: rotated.dkim, dovecot, durationMs: rotated.durationMs, steps });
      await saveDeployment(dir, deployment);
      return deployment;
    } finally {
      session.close();
    }
  }
  const log = ctx.logger.child("deploy");
  const session = await connectVm(vm, { signal: ctx.signal });
  try {
    const result = await deployMailStack({
      session,
      family: distribution.packageFamily,
      setup: { ...setup, accounts },
      secrets,
      tls,
      freshclam: options.freshclam,
      emulated: vm.accel === "tcg",
      timeoutScale: guestTimeoutScale(ctx.timeoutScale, vm.accel),
      onEvent: (event) => {
        // Every guest command at debug level, like the host's processes (secrets go on stdin, and the logger redacts).
        if (event.type === "deploy-command")
          log.debug("remote command", { step: event.step, command: event.command.slice(0, 400), exitCode: event.exitCode, durationMs: event.durationMs });
        options.onEvent?.(event);
      },
      signal: ctx.signal,
    });
    const deployment = record({
      deployer: { kind: "builtin" },
      dkim: result.dkim,
      dovecot: result.dovecot,
      durationMs: result.durationMs,
      steps: result.steps,
    });
    await saveDeployment(dir, deployment);
    return deployment;
  } finally {
    session.close();
  }
}
