import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { connectSsh, type HostKeyOptions, hostKeyPolicy, type SshSession } from "@msf/ssh";
import type { MsfContext } from "@msf/supervisor";
import { z } from "zod";
import { type MailTestOptions, type MailTestReport, runAndRecord } from "../checks/record.ts";
import type { MailService, MailTarget } from "../checks/types.ts";
import type { Endpoint } from "../checks/wire/line-client.ts";
import { MailSetupSchema } from "../config/accounts.ts";
import { loadMsfJson, readJsonObject } from "../config/msf-json.ts";
import type { PackageFamily } from "../recipe/families.ts";

/** The accounts file of `msf test --target`: the mail setup, plus the DKIM key as published (DNS is not asked). */
const TargetSetupSchema = MailSetupSchema.extend({
  dkim: z.object({ domain: z.string(), selector: z.string(), txt: z.string().startsWith("v=DKIM1") }).optional(),
  /** ClamAV has only a local test signature (no official database, so no database date to expect). */
  bundledSignaturesOnly: z.boolean().optional(),
});

const DEFAULT_PORTS: Record<MailService, number> = { smtp: 25, submission: 587, smtps: 465, imap: 143, imaps: 993, pop3: 110, pop3s: 995 };

export interface TargetTestOptions extends Omit<MailTestOptions, "name"> {
  /** `ssh://user@host[:port]`: shell access for the checks that look inside; its host is also the mail host by default. */
  target?: string;
  /** The mail host, when there is no SSH target (or it differs). */
  host?: string;
  /** `host:port` overrides per service (`smtp`, `submission`, ...). */
  endpoints?: Partial<Record<MailService, string>>;
  /** Accounts (and their passwords), domain and host name: msf JSON or Mail Server Factory JSON. */
  config: string;
  /** Includes of a Mail Server Factory `config` may come from this directory and below. */
  includeRoot?: string;
  /** The CA the server certificate must verify against (default: the system's CAs). */
  ca?: string;
  /** Private key for SSH (default: ~/.ssh/id_ed25519, then id_rsa). */
  key?: string;
  /** Package family of the server, for the diagnostics commands. */
  family?: PackageFamily;
  /** How the SSH target's host key is checked (known_hosts, --host-key, --accept-new-host-key). */
  hostKeys?: HostKeyOptions;
  /** Something the user must hear about even when all goes well (a host key trusted on first use). */
  onWarning?: (message: string) => void;
}

/** The same checks against any mail server: endpoints and credentials given by the operator. */
export async function mailTestTarget(ctx: MsfContext, options: TargetTestOptions): Promise<MailTestReport> {
  const ssh = options.target ? await sshTarget(ctx, options.target, options) : undefined;
  const host = options.host ?? (options.target ? new URL(options.target).hostname : undefined);
  if (!host) throw new MsfError("ERR_MSF_USAGE", "say which server to test: --target ssh://user@host or --host <mail host>");
  const parsed = await loadTargetSetup(options.config, options.includeRoot);
  const endpoints = Object.fromEntries(
    (Object.keys(DEFAULT_PORTS) as MailService[]).map((service) => [service, endpoint(options.endpoints?.[service], host, DEFAULT_PORTS[service], service)]),
  ) as Record<MailService, Endpoint>;
  const accounts = parsed.accounts.map((account) => {
    if (!account.password)
      throw new MsfError("ERR_MSF_CONFIG", `${options.config}: accounts: ${account.address} has no password`, {
        hint: "the checks log in: give every account its password",
      });
    return { address: account.address, password: account.password, role: account.role, aliases: account.aliases };
  });
  for (const account of accounts) ctx.logger.addSecret(account.password);
  const target: MailTarget = {
    hostname: parsed.hostname,
    domain: parsed.domain,
    endpoints,
    caPem: options.ca ? await readFile(options.ca, "utf8") : undefined,
    accounts,
    dkim: parsed.dkim,
    bundledSignaturesOnly: parsed.bundledSignaturesOnly,
    ssh,
  };
  return runAndRecord({
    ...options,
    name: host,
    target,
    outDir: join(ctx.paths.state, "checks", host),
    family: options.family ?? "apt",
    secrets: accounts.map((a) => a.password),
    ssh,
    timeoutScale: ctx.timeoutScale,
  });
}

/** The accounts file of `msf test --target`: msf JSON or Mail Server Factory JSON, validated; errors name the key. */
export async function loadTargetSetup(path: string, includeRoot?: string) {
  const raw = await readJsonObject(path);
  const input =
    "includes" in raw || "variables" in raw || (Array.isArray(raw.accounts) && raw.accounts.some((a) => typeof a === "object" && a && "type" in a))
      ? (await loadMsfJson(path, { includeRoot })).setup
      : raw;
  const parsed = TargetSetupSchema.safeParse(input === raw ? raw : { ...input, dkim: raw.dkim, bundledSignaturesOnly: raw.bundledSignaturesOnly });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MsfError("ERR_MSF_CONFIG", `${path}: ${issue?.path.join(".")}: ${issue?.message}`, { hint: "see apps/cli/README.md for the accounts file" });
  }
  return parsed.data;
}

function endpoint(override: string | undefined, host: string, port: number, service: string): Endpoint {
  if (!override) return { host, port };
  const match = /^(.+):(\d+)$/.exec(override);
  if (!match) throw new MsfError("ERR_MSF_USAGE", `--${service} ${override}: expected host:port`);
  return { host: match[1] as string, port: Number(match[2]) };
}

async function sshTarget(ctx: MsfContext, target: string, options: TargetTestOptions): Promise<SshSession> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new MsfError("ERR_MSF_USAGE", `--target ${target}: expected ssh://user@host[:port]`);
  }
  if (url.protocol !== "ssh:") throw new MsfError("ERR_MSF_USAGE", `--target ${target}: expected ssh://user@host[:port]`);
  const candidates = options.key ? [options.key] : [join(homedir(), ".ssh/id_ed25519"), join(homedir(), ".ssh/id_rsa")];
  let privateKey: string | undefined;
  for (const candidate of candidates) privateKey ??= await readFile(candidate, "utf8").catch(() => undefined);
  if (!privateKey) throw new MsfError("ERR_MSF_USAGE", `no SSH private key at ${candidates.join(" or ")}`, { hint: "--key <file>" });
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || 22);
  const policy = await hostKeyPolicy(host, port, options.hostKeys ?? {});
  const session = await connectSsh(
    { host, port, username: decodeURIComponent(url.username || "root"), privateKey, hostKeyCheck: policy.check, hostKeyAlgorithms: policy.algorithms },
    { timeoutMs: 30_000, signal: ctx.signal },
  );
  const recorded = await policy.commit();
  if (recorded) {
    ctx.logger.warn(recorded);
    options.onWarning?.(recorded);
  }
  return session;
}
