import { join } from "node:path";
import { MsfError, readJsonIfExists, writeJsonAtomic } from "@msf/core";
import type { Account, TlsMaterial } from "@msf/mailtest";
import { shellQuote } from "@msf/ssh";
import type { MsfContext } from "@msf/supervisor";
import type { VmState } from "../state.ts";

export interface ExternalDeployInput {
  vm: VmState;
  /** A shell command line; {host} {port} {user} {key} are replaced (each shell-quoted), and they are also $1..$4. */
  command: string;
  dir: string;
  setup: { domain: string; hostname: string; accounts: Array<Account & { password: string }> };
  tls: TlsMaterial;
  timeoutMs: number;
  onOutput?: (line: string) => void;
}

export interface ExternalDeployResult {
  command: string[];
  exitCode: number | null;
  log: string;
  durationMs: number;
  /** DKIM TXT records the deployer reported in $MSF_RESULT_FILE ({"dkim": {"domain": "v=DKIM1; ..."}}). */
  dkim: Record<string, string>;
}

/**
 * Runs someone else's deployer (the original Mail Server Factory, an Ansible playbook, a script) on
 * the host, pointed at the VM: endpoint, user and key as arguments and environment variables, the
 * accounts and the TLS material as files. Its output is kept and its exit code recorded.
 */
export async function runExternalDeployer(ctx: MsfContext, input: ExternalDeployInput): Promise<ExternalDeployResult> {
  const { vm, dir } = input;
  const accountsFile = join(dir, "accounts.json");
  const resultFile = join(dir, "deployer-result.json");
  await writeJsonAtomic(accountsFile, input.setup, 0o600);
  const values = { host: vm.ssh.host, port: String(vm.ssh.port), user: vm.ssh.user, key: vm.ssh.keyPath };
  // The user's command line is theirs; the values msf puts in are quoted, so a path with a space or a `$` stays one word.
  const line = input.command.replace(/\{(host|port|user|key)\}/g, (_, name: keyof typeof values) => shellQuote([values[name]]));
  const argv = ["-c", line, "msf-deployer", values.host, values.port, values.user, values.key];
  const result = await ctx.supervisor.run({
    name: `deployer-${vm.name}`,
    command: "sh",
    args: argv,
    timeoutMs: input.timeoutMs,
    logDir: dir,
    env: {
      MSF_SSH_HOST: values.host,
      MSF_SSH_PORT: values.port,
      MSF_SSH_USER: values.user,
      MSF_SSH_KEY: values.key,
      MSF_SSH_KNOWN_HOSTS: vm.ssh.knownHostsPath,
      MSF_DOMAIN: input.setup.domain,
      MSF_HOSTNAME: input.setup.hostname,
      MSF_ACCOUNTS_FILE: accountsFile,
      MSF_TLS_CERT: input.tls.certPath,
      MSF_TLS_KEY: input.tls.keyPath,
      MSF_TLS_CA: input.tls.caPath,
      MSF_RESULT_FILE: resultFile,
    },
    onEvent: (event) => {
      if (event.type === "output") input.onOutput?.(event.line);
    },
  });
  const log = result.logs.stdout ?? "";
  if (result.failed) {
    const how = result.timedOut ? `timed out after ${Math.round(input.timeoutMs / 1000)} s` : `exited with ${result.exitCode ?? result.signal}`;
    throw new MsfError("ERR_MSF_DEPLOY", `the external deployer (${line}) ${how}`, {
      hint: `its output: ${log} and ${result.logs.stderr}`,
      details: { exitCode: result.exitCode },
    });
  }
  const reported = ((await readJsonIfExists(resultFile)) ?? {}) as { dkim?: Record<string, string> };
  return { command: ["sh", ...argv.slice(0, 2)], exitCode: result.exitCode, log, durationMs: result.durationMs, dkim: reported.dkim ?? {} };
}
