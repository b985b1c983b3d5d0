import type { Tunnel } from "@msf/ssh";
import { CheckContext } from "./context.ts";
import { AUTH_CHECKS } from "./defs/auth.ts";
import type { CheckDef } from "./defs/define.ts";
import { FLOW_CHECKS } from "./defs/flow.ts";
import { clamdProtocol, cleanLogsCheck, lookups, readiness, rspamdAndRedis } from "./defs/services.ts";
import { SMTP_CHECKS } from "./defs/smtp.ts";
import { TLS_CHECKS } from "./defs/tls.ts";
import { CheckFailure, type CheckResult, CheckSkipped, type MailTarget } from "./types.ts";

export interface RunChecksOptions {
  /** Only these check ids (the readiness gate always runs). */
  only?: string[];
  /** Checks in flight at once after the readiness gate. */
  concurrency?: number;
  /** Hard limit per check. */
  checkTimeoutMs?: number;
  /** Multiplies every wait and timeout of the checks (and the limit): 3 for a server under CPU emulation. */
  timeoutScale?: number;
  onStart?: (check: { id: string; title: string }) => void;
  onResult?: (result: CheckResult) => void;
}

/** The acceptance checks after the gate, in the order they are listed. */
export function checkCatalog(since: () => number | undefined): CheckDef[] {
  return [...TLS_CHECKS, ...SMTP_CHECKS, ...AUTH_CHECKS, ...FLOW_CHECKS, clamdProtocol, rspamdAndRedis, lookups, cleanLogsCheck(since)];
}

/**
 * Runs the readiness gate, then every check (several at once), then the log check last. Checks do
 * not care who deployed the server: everything they know is in the target.
 */
export async function runChecks(target: MailTarget, options: RunChecksOptions = {}): Promise<CheckResult[]> {
  const tunnels = new Map<number, Promise<Tunnel>>();
  let serverClock: number | undefined;
  try {
    if (target.ssh) serverClock = Number((await target.ssh.exec(["date", "+%s"], { timeoutMs: 15_000 })).stdout.trim()) || undefined;
    const results: CheckResult[] = [await runOne(readiness, target, tunnels, options)];
    const wanted = (def: CheckDef) => !options.only || options.only.includes(def.id);
    const catalog = checkCatalog(() => serverClock).filter(wanted);
    const last = catalog.filter((def) => def.id === "clean-logs");
    const queue = catalog.filter((def) => def.id !== "clean-logs").sort((a, b) => Number(b.slow ?? false) - Number(a.slow ?? false));
    const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, async () => {
      for (let def = queue.shift(); def; def = queue.shift()) results.push(await runOne(def, target, tunnels, options));
    });
    await Promise.all(workers);
    for (const def of last) results.push(await runOne(def, target, tunnels, options));
    const order = [readiness, ...checkCatalog(() => serverClock)].map((def) => def.id);
    return results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  } finally {
    await Promise.all([...tunnels.values()].map(async (tunnel) => (await tunnel.catch(() => undefined))?.close()));
  }
}

async function runOne(def: CheckDef, target: MailTarget, tunnels: Map<number, Promise<Tunnel>>, options: RunChecksOptions): Promise<CheckResult> {
  options.onStart?.({ id: def.id, title: def.title });
  const ctx = new CheckContext(target, tunnels, options.timeoutScale);
  const started = Date.now();
  const base = { id: def.id, component: def.component, title: def.title };
  let result: CheckResult;
  if (def.needsSsh && !target.ssh) {
    result = { ...base, status: "skip", durationMs: 0, message: "needs shell access to the server (--target ssh://user@host)", evidence: [], waitedMs: 0 };
  } else {
    const limit = ctx.scaled(options.checkTimeoutMs ?? 300_000);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the check did not finish within ${limit / 1000} s`)), limit);
    });
    try {
      const message = await Promise.race([def.run(ctx), timeout]);
      result = { ...base, status: "pass", durationMs: Date.now() - started, message: ctx.mask(message), evidence: ctx.evidence, waitedMs: ctx.waitedMs };
    } catch (error) {
      const status = error instanceof CheckSkipped ? "skip" : error instanceof CheckFailure ? "fail" : "error";
      result = {
        ...base,
        status,
        durationMs: Date.now() - started,
        message: ctx.mask((error as Error).message),
        evidence: ctx.evidence,
        waitedMs: ctx.waitedMs,
      };
    } finally {
      clearTimeout(timer);
      ctx.closeAll();
    }
  }
  options.onResult?.(result);
  return result;
}
