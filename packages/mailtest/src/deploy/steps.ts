import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { ShellScript } from "@msf/ssh";
import { clamavFiles } from "../recipe/clamav.ts";
import { dovecotFiles } from "../recipe/dovecot.ts";
import type { FamilyLayout } from "../recipe/families.ts";
import { file, PATHS, type StackInputs } from "../recipe/inputs.ts";
import { masterBlock, parsePostconf, postconfChanges, postfixMapFiles, postfixSettings, withMasterBlock } from "../recipe/postfix.ts";
import { dataSql, rolePasswordSql, schemaSql } from "../recipe/postgres.ts";
import { dkimKeyPath, rspamdFiles, TLD_LIST } from "../recipe/rspamd.ts";
import { CLAMD_DROP_IN, systemdFiles } from "../recipe/systemd.ts";
import { DeployStepError } from "./errors.ts";
import { FIREWALLD_SCRIPT, POSTGRESQL_SETUP, pgHbaScript, SELINUX_SCRIPT } from "./platform.ts";
import type { Remote } from "./remote.ts";
import {
  DOVECOT_CONFIG_PARSES,
  disableUnitsScript,
  dkimKeyScript,
  POSTFIX_QUICK_START,
  POSTFIX_RUNNING,
  serviceScript,
  TLD_LIST_SCRIPT,
  unitStatusScript,
  vmailScript,
  WAIT_FOR_POSTGRESQL,
} from "./scripts.ts";

export interface StepContext {
  remote: Remote;
  inputs: StackInputs;
  layout: FamilyLayout;
  tls: { certPem: string; keyPem: string };
  /** Can the read-only role log in with its password (tried over an SSH tunnel)? */
  roleCanLogIn: () => Promise<boolean>;
  /** Filled by the rspamd step. */
  dkim: Record<string, string>;
  /** The systemd files the systemd step changed (a changed drop-in restarts its service). */
  unitFilesChanged: string[];
}

export interface DeployStep {
  name: string;
  /** Only for the families this is true of (default: all). */
  appliesTo?: (layout: FamilyLayout) => boolean;
  /** Returns what it changed (files written, settings set, rows changed, services restarted); empty when nothing. */
  run(ctx: StepContext): Promise<string[]>;
}

/** Runs the service script (see serviceScript) and returns what it did to the unit. */
async function service(ctx: StepContext, step: string, unit: string, restart: boolean, beforeStart?: ShellScript): Promise<string[]> {
  const result = await ctx.remote.run(step, serviceScript(unit, restart, beforeStart), { timeoutMs: 300_000 });
  return result.stdout
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((what) => `${what} ${unit}`);
}

const vmail: DeployStep = {
  name: "vmail",
  async run({ remote }) {
    const result = await remote.run("vmail", vmailScript());
    return result.stdout
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((what) => `created ${what}`);
  },
};

const systemd: DeployStep = {
  name: "systemd",
  async run(ctx) {
    const changed = await ctx.remote.sync("systemd", systemdFiles(ctx.inputs));
    // A daemon reload re-reads the manager's defaults (system.conf.d) too.
    if (changed.length) await ctx.remote.run("systemd", ["systemctl", "daemon-reload"]);
    ctx.unitFilesChanged.push(...changed);
    return changed;
  },
};

const tls: DeployStep = {
  name: "tls",
  async run({ remote, tls }) {
    return remote.sync("tls", [file(PATHS.tlsCert, tls.certPem), file(PATHS.tlsKey, tls.keyPem, { mode: 0o600, secret: true })]);
  },
};

const postgresql: DeployStep = {
  name: "postgresql",
  async run(ctx) {
    const { remote, inputs, layout } = ctx;
    const init = layout.platform.initDatabase ? await remote.run("postgresql", POSTGRESQL_SETUP, { timeoutMs: 300_000 }) : undefined;
    const changed = init?.stdout.includes("initialised") ? ["initialised the PostgreSQL cluster"] : [];
    changed.push(...(await service(ctx, "postgresql", layout.services.postgresql, false)));
    // Waits as long as the command's (scaled) timeout allows; a timeout names the command.
    await remote.run("postgresql", WAIT_FOR_POSTGRESQL, { timeoutMs: 90_000 });
    if (layout.platform.pgHba && (await remote.run("postgresql", pgHbaScript(layout.platform.pgHba))).stdout.includes("changed")) {
      await remote.run("postgresql", ["systemctl", "reload", layout.services.postgresql]);
      changed.push(`${layout.platform.pgHba}: password logins over TCP for the mail role`);
    }
    // Before the schema: a role that does not exist yet cannot log in either, so it gets its password.
    const setPassword = !(await ctx.roleCanLogIn());
    // One psql run (each costs the guest about 3 s under emulation): schema, password, rows.
    const sql = schemaSql() + (setPassword ? rolePasswordSql(inputs) : "") + dataSql(inputs);
    const data = await remote.run("postgresql", ["runuser", "-u", "postgres", "--", "psql", "-X", "-v", "ON_ERROR_STOP=1"], { input: sql });
    if (setPassword) changed.push("set the password of the mail role");
    const rows = [...data.stdout.matchAll(/^INSERT 0 (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    if (rows) changed.push(`${rows} row(s) of domains, mailboxes and aliases`);
    return changed;
  },
};

const postfix: DeployStep = {
  name: "postfix",
  async run(ctx) {
    const { remote, inputs, layout } = ctx;
    // Independent commands go together: every round trip costs about a second on an emulated guest.
    const [changed, current, master = ""] = await Promise.all([
      remote.sync("postfix", postfixMapFiles(inputs)),
      remote.run("postfix", ["postconf", "-n"]),
      remote.readFile("postfix", "/etc/postfix/master.cf"),
    ]);
    const settings = postconfChanges(parsePostconf(current.stdout), postfixSettings(inputs));
    const [, masterChanged] = await Promise.all([
      settings.length ? remote.run("postfix", ["postconf", "-e", ...settings]) : undefined,
      remote.sync("postfix", [file("/etc/postfix/master.cf", withMasterBlock(master, masterBlock()))]),
    ]);
    changed.push(...settings.map((s) => `main.cf ${s.split("=")[0]}`), ...masterChanged);
    changed.push(...(await service(ctx, "postfix", layout.services.postfix, changed.length > 0, POSTFIX_QUICK_START)));
    await remote.run("postfix", POSTFIX_RUNNING);
    return changed;
  },
};

const dovecot: DeployStep = {
  name: "dovecot",
  async run(ctx) {
    const { remote, inputs, layout } = ctx;
    const changed = await remote.sync("dovecot", dovecotFiles(inputs));
    await remote.run("dovecot", DOVECOT_CONFIG_PARSES);
    return [...changed, ...(await service(ctx, "dovecot", layout.services.dovecot, changed.length > 0))];
  },
};

const redis: DeployStep = {
  name: "redis",
  async run(ctx) {
    return service(ctx, "redis", ctx.layout.services.redis, false);
  },
};

const clamav: DeployStep = {
  name: "clamav",
  async run(ctx) {
    const { remote, inputs, layout } = ctx;
    const changed = await remote.sync("clamav", clamavFiles(inputs));
    const dropInChanged = ctx.unitFilesChanged.includes(CLAMD_DROP_IN);
    if (inputs.freshclam) {
      await remote.run("clamav", ["freshclam", "--stdout"], { timeoutMs: 600_000 });
    } else {
      // No internet: the updater would only fail and fill the logs.
      const off = await remote.run("clamav", disableUnitsScript(layout.freshclamUnits));
      changed.push(
        ...off.stdout
          .split(/\s+/)
          .filter(Boolean)
          .map((unit) => `disabled ${unit} (no internet)`),
      );
    }
    return [...changed, ...(await service(ctx, "clamav", layout.services.clamd, dropInChanged || changed.length > 0))];
  },
};

const rspamd: DeployStep = {
  name: "rspamd",
  async run(ctx) {
    const { remote, inputs, layout } = ctx;
    const changed = await remote.sync("rspamd", rspamdFiles(inputs));
    if (inputs.emulated && (await remote.run("rspamd", TLD_LIST_SCRIPT)).stdout.includes("changed")) changed.push(TLD_LIST);
    const user = layout.rspamdUser;
    // A key made here (RSA 2048 takes the guest 10-15 s under emulation) goes over stdin and is kept
    // only if the guest has none: a second deploy keeps the published key.
    const script = dkimKeyScript(dkimKeyPath(inputs.setup.domain, inputs.dkimSelector), user);
    const result = await remote.run("rspamd", script, { input: await newDkimKey() });
    const [first, ...rest] = result.stdout.trim().split("\n");
    const publicKey = (rest.length ? rest.join("") : first) ?? "";
    if (!/^[A-Za-z0-9+/=]{100,}$/.test(publicKey)) throw new DeployStepError("rspamd", "no DKIM public key came back", result.stdout + result.stderr);
    if (first === "created") changed.push(`created the DKIM key ${inputs.dkimSelector}._domainkey.${inputs.setup.domain}`);
    ctx.dkim[inputs.setup.domain] = `v=DKIM1; k=rsa; p=${publicKey}`;
    return [...changed, ...(await service(ctx, "rspamd", layout.services.rspamd, changed.length > 0))];
  },
};

/** A DKIM signing key as Rspamd reads it (PKCS#8 PEM). */
export async function newDkimKey(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  return privateKey.export({ type: "pkcs8", format: "pem" }) as string;
}

/** Prints what a platform script did as "<verb> <thing>" changes. */
async function platformStep(ctx: StepContext, step: string, script: ShellScript, verb: string): Promise<string[]> {
  const result = await ctx.remote.run(step, script);
  return result.stdout
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((what) => `${verb} ${what}`);
}

const firewall: DeployStep = {
  name: "firewall",
  appliesTo: (layout) => layout.platform.firewalld,
  run: (ctx) => platformStep(ctx, "firewall", FIREWALLD_SCRIPT, "opened"),
};

const selinux: DeployStep = {
  name: "selinux",
  appliesTo: (layout) => layout.platform.selinux,
  run: (ctx) => platformStep(ctx, "selinux", SELINUX_SCRIPT, "permissive"),
};

const verify: DeployStep = {
  name: "verify",
  async run({ remote, layout }) {
    const units = Object.values(layout.services);
    const result = await remote.run("verify", ["systemctl", "is-active", ...units], { allowFail: true });
    const states = result.stdout.trim().split("\n");
    const down = units.filter((_, i) => states[i] !== "active");
    if (down.length) {
      const status = await remote.run("verify", unitStatusScript(down), { allowFail: true });
      throw new DeployStepError("verify", `not running: ${down.join(", ")}`, status.stdout + status.stderr);
    }
    return [];
  },
};

/**
 * The deployment in stages: a stage's steps run at the same time (each service reads its own files
 * and reaches the others only once mail flows), the next stage starts when they have all finished.
 * Dovecot comes after Postfix: its LMTP and auth sockets live in Postfix's spool, which Debian 13
 * creates when Postfix first starts. Each step is idempotent: a second run reports no changes.
 */
export const DEPLOY_STAGES: readonly (readonly DeployStep[])[] = [
  [systemd, vmail, tls, firewall, selinux],
  [postgresql, postfix, redis, clamav, rspamd],
  [dovecot],
  [verify],
];

/** Pure: the stages as they run for a family (steps that do not apply left out). */
export function stagesFor(layout: FamilyLayout): DeployStep[][] {
  return DEPLOY_STAGES.map((stage) => stage.filter((step) => step.appliesTo?.(layout) ?? true));
}
