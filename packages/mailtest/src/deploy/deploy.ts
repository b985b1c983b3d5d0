import { openTunnel, type SshSession } from "@msf/ssh";
import pg from "pg";
import { FAMILIES, type FamilyLayout, type PackageFamily } from "../recipe/families.ts";
import { DATABASE, type StackInputs, stackInputs } from "../recipe/inputs.ts";
import { DeployStepError } from "./errors.ts";
import { DNF_REPOSITORIES } from "./platform.ts";
import { Remote } from "./remote.ts";
import { stagesFor } from "./steps.ts";
import type { TlsMaterial } from "./tls.ts";

export type DeployEvent =
  | { type: "deploy-step"; step: string; status: "started" }
  | { type: "deploy-step"; step: string; status: "done"; changed: string[]; durationMs: number }
  | { type: "deploy-command"; step: string; command: string; exitCode: number | null; durationMs: number };

export interface DeployOptions {
  session: SshSession;
  family: PackageFamily;
  /** Accounts with their passwords (generated ones included). */
  setup: StackInputs["setup"];
  secrets: { dbPassword: string; saltKey: string };
  tls: TlsMaterial;
  messageSizeLimit?: number;
  dkimSelector?: string;
  freshclam?: boolean;
  /** The server runs under CPU emulation (see StackInputs.emulated). */
  emulated?: boolean;
  /** Multiplies every command's timeout: 3 for a server under CPU emulation. */
  timeoutScale?: number;
  onEvent?: (event: DeployEvent) => void;
  signal?: AbortSignal;
}

export interface DeployResult {
  steps: Array<{ name: string; changed: string[]; durationMs: number }>;
  /** False when the run found everything already as it should be. */
  changed: boolean;
  dovecot: StackInputs["dovecot"];
  /** DKIM TXT record per signing domain (`v=DKIM1; k=rsa; p=...`). */
  dkim: Record<string, string>;
  durationMs: number;
}

/** The built-in recipe: packages, then the configuration steps stage by stage, over one SSH session. */
export async function deployMailStack(options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const layout = FAMILIES[options.family];
  const remote = new Remote(options.session, {
    signal: options.signal,
    timeoutScale: options.timeoutScale,
    onCommand: (step, command, result) =>
      options.onEvent?.({ type: "deploy-command", step, command, exitCode: result.exitCode, durationMs: result.durationMs }),
  });
  const steps: DeployResult["steps"] = [];
  const track = async (name: string, work: () => Promise<string[]>) => {
    options.onEvent?.({ type: "deploy-step", step: name, status: "started" });
    const t0 = Date.now();
    const changed = await work();
    options.onEvent?.({ type: "deploy-step", step: name, status: "done", changed, durationMs: Date.now() - t0 });
    return { name, changed, durationMs: Date.now() - t0 };
  };
  steps.push(await track("packages", () => ensurePackages(remote, layout)));
  const inputs = stackInputs({ ...options, ...options.secrets, dovecot: await dovecotFormat(remote) });
  const ctx = {
    remote,
    inputs,
    layout,
    tls: options.tls,
    dkim: {} as Record<string, string>,
    unitFilesChanged: [] as string[],
    roleCanLogIn: () => roleCanLogIn(options.session, inputs.dbPassword),
  };
  for (const stage of stagesFor(layout)) {
    // Every step of a stage finishes (none is cut off half way) before the first failure is thrown.
    const outcomes = await Promise.allSettled(stage.map((step) => track(step.name, () => step.run(ctx))));
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") throw outcome.reason;
      steps.push(outcome.value);
    }
  }
  return { steps, changed: steps.some((s) => s.changed.length > 0), dovecot: inputs.dovecot, dkim: ctx.dkim, durationMs: Date.now() - started };
}

async function ensurePackages(remote: Remote, layout: FamilyLayout): Promise<string[]> {
  const query = await remote.run("packages", [...layout.installedQuery, ...layout.packages], { allowFail: true });
  const installed = installedPackages(query.stdout);
  const missing = layout.packages.filter((name) => !installed.has(name));
  if (missing.length === 0) return [];
  const repositories = layout.platform.repositories ? await remote.run("packages", DNF_REPOSITORIES, { timeoutMs: 600_000 }) : undefined;
  const added = (repositories?.stdout.trim().split(/\s+/) ?? []).filter(Boolean).map((repo) => `added the ${repo} repository`);
  await remote.run("packages", layout.refresh, { timeoutMs: 600_000 });
  await remote.run("packages", [...layout.install, ...missing], { timeoutMs: 1_800_000 });
  return [...added, ...missing.map((name) => `installed ${name}`)];
}

/**
 * Pure: the packages on the system from `<name> <status>` lines. A package unpacked but not (yet)
 * configured counts: an upgrade stopped by a failing maintainer script leaves it so, and deploying
 * the recipe is what lets it configure; installing it again would only run that script again.
 */
export function installedPackages(queryOutput: string): Set<string> {
  const present = /^(\S+) [ih][iUFWt]/;
  return new Set(queryOutput.split("\n").flatMap((line) => present.exec(line)?.[1] ?? []));
}

async function dovecotFormat(remote: Remote): Promise<StackInputs["dovecot"]> {
  const version = (await remote.run("packages", ["dovecot", "--version"])).stdout.trim();
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) throw new DeployStepError("packages", `cannot read Dovecot's version from "${version}"`, version);
  return Number(match[1]) > 2 || Number(match[2]) >= 4 ? "2.4" : "2.3";
}

/** Logs in as the read-only role through an SSH tunnel: the real test of its password. */
async function roleCanLogIn(session: SshSession, password: string): Promise<boolean> {
  // pg reaches a unix socket as <dir>/.s.PGSQL.<port>.
  const tunnel = await openTunnel(session, "127.0.0.1", 5432, { name: ".s.PGSQL.5432" });
  const client = new pg.Client({
    host: tunnel.dir,
    port: 5432,
    user: DATABASE.role,
    database: DATABASE.name,
    password,
    connectionTimeoutMillis: 15_000,
  });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
    await tunnel.close();
  }
}
