import { Redis } from "ioredis";
import { EICAR } from "../../recipe/clamav.ts";
import { type CheckContext, INTERNAL_PORTS } from "../context.ts";
import { rspamdHistory } from "../rspamd-history.ts";
import { CheckFailure, expectThat } from "../types.ts";
import { clamd } from "../wire/clamd.ts";
import { httpOverSocket } from "../wire/http.ts";
import { smtp, smtpReply } from "../wire/protocols.ts";
import { check } from "./define.ts";

async function smtpQuit(ctx: CheckContext): Promise<string> {
  const client = await ctx.connect("smtp", 5_000);
  try {
    await smtpReply(client, 5_000);
    const bye = await smtp(client, "QUIT", undefined, 5_000);
    if (bye.code !== 221) throw new Error(`QUIT answered ${bye.code}`);
    return "221";
  } finally {
    client.close();
  }
}

async function rspamdPing(ctx: CheckContext): Promise<string> {
  const { text } = await httpOverSocket(await ctx.tunnel(INTERNAL_PORTS.rspamd), "/ping", { timeoutMs: 5_000 });
  if (!text.includes("pong")) throw new Error(`/ping answered ${text.slice(0, 40)}`);
  return "pong";
}

/** A Redis client through the tunnel, for one use. Finite timeouts and no retries: a hanging client would hang the test runner. */
async function withRedis<T>(ctx: CheckContext, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    path: await ctx.tunnel(INTERNAL_PORTS.redis),
    lazyConnect: true,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

const redisPing = (ctx: CheckContext) => withRedis(ctx, (redis) => redis.ping());

/** Rspamd's /checkv2 answer, or an empty verdict when it is not JSON (the check then says what came back). */
function parseVerdict(text: string): { action?: string; score?: number } {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as { action?: string; score?: number }) : {};
  } catch {
    return {};
  }
}

async function unitState(ctx: CheckContext, probe: string): Promise<string | undefined> {
  const unit = ctx.target.units?.[probe as keyof NonNullable<typeof ctx.target.units>];
  if (!unit || !ctx.target.ssh) return undefined;
  const result = await ctx.target.ssh.exec(["systemctl", "is-active", unit], { timeoutMs: 15_000 });
  return result.stdout.trim();
}

/** Readiness deadline, times the context's scale: Rspamd alone needs one to two minutes to load under TCG (scale 3). */
const READINESS_TIMEOUT_MS = 90_000;

export const readiness = check({
  id: "readiness",
  component: "stack",
  title: "Every service answers before the checks start: SMTP QUIT (221), clamd PING, Rspamd, Redis PING",
  async run(ctx) {
    // SMTP last: every SMTP connection makes Postfix call its milter, which would log "Connection
    // refused" while Rspamd is still starting.
    const probes: Array<[string, () => Promise<string>]> = [];
    if (ctx.target.ssh) {
      probes.push(["clamd", async () => clamd(await ctx.tunnel(INTERNAL_PORTS.clamd), "PING", undefined, 5_000)]);
      probes.push(["rspamd", () => rspamdPing(ctx)], ["redis", () => redisPing(ctx)]);
    }
    probes.push(["smtp", () => smtpQuit(ctx)]);
    const started = Date.now();
    const answered = new Map<string, string>();
    const last = new Map<string, string>();
    const down = new Map<string, string>(); // stopped, not starting: no point waiting
    const laggards = () =>
      probes
        .filter(([name]) => !answered.has(name))
        .map(([name]) => `${name} (${down.get(name) ?? last.get(name) ?? "no answer"})`)
        .join(", ");
    try {
      await ctx.waitFor("every service to answer", READINESS_TIMEOUT_MS, async () => {
        for (const [name, probe] of probes) {
          if (answered.has(name) || down.has(name)) continue;
          if (name === "smtp" && answered.size + down.size < probes.length - 1) continue;
          try {
            answered.set(name, `${await probe()} after ${Date.now() - started} ms`);
          } catch (error) {
            last.set(name, (error as Error).message);
            const state = await unitState(ctx, name);
            if (state === "inactive" || state === "failed") down.set(name, `systemd says ${state}`);
          }
        }
        if (down.size) throw new CheckFailure("every service to answer", `no answer from ${laggards()}`);
        return answered.size === probes.length ? true : undefined;
      });
    } catch (error) {
      if (down.size) throw error;
      throw new CheckFailure(`every service to answer within ${ctx.scaled(READINESS_TIMEOUT_MS) / 1000} s`, `no answer from ${laggards()}`);
    }
    for (const [name, how] of answered) ctx.note(`${name}: ${how}`);
    return [...answered].map(([name, how]) => `${name} ${how}`).join("; ");
  },
});

export const clamdProtocol = check({
  id: "clamd",
  component: "clamav",
  title: "clamd over its own protocol: PING, VERSION (database date), INSTREAM of EICAR -> FOUND",
  needsSsh: true,
  async run(ctx) {
    const socket = await ctx.tunnel(INTERNAL_PORTS.clamd);
    const pong = await clamd(socket, "PING");
    ctx.note(`zPING -> ${pong}`);
    expectThat(pong === "PONG", "PONG", pong);
    const version = await clamd(socket, "VERSION");
    ctx.note(`zVERSION -> ${version}`);
    const dated = /^ClamAV \S+\/\d+\/(.+)$/.exec(version);
    if (ctx.target.bundledSignaturesOnly) expectThat(/^ClamAV \d/.test(version), "ClamAV <version>", version);
    else
      expectThat(
        dated !== null,
        "clamd with an official signature database loaded (VERSION: ClamAV <version>/<database version>/<date>)",
        `clamd answers (${version}) but has no official signature database loaded: run freshclam on the server (msf's own deployment without internet uses a test signature only)`,
      );
    const scan = await clamd(socket, "INSTREAM", Buffer.from(EICAR, "latin1"));
    ctx.note(`zINSTREAM [EICAR, 68 bytes] -> ${scan}`);
    expectThat(/FOUND$/.test(scan), "stream: <signature> FOUND", scan);
    const database = dated ? `signatures of ${dated[1]}` : "the bundled test signature only (no official database without internet)";
    return `${pong}; ${version} (${database}); EICAR: ${scan}`;
  },
});

export const rspamdAndRedis = check({
  id: "rspamd-redis",
  component: "redis",
  title: "Rspamd answers /checkv2 with an action; Redis answers and is the one Rspamd uses",
  needsSsh: true,
  async run(ctx) {
    const socket = await ctx.tunnel(INTERNAL_PORTS.rspamd);
    const message = `From: a@example.org\r\nTo: b@${ctx.target.domain}\r\nSubject: msf ${ctx.token}\r\n\r\nhello\r\n`;
    const response = await httpOverSocket(socket, "/checkv2", { method: "POST", body: message, timeoutMs: 60_000 });
    const verdict = parseVerdict(response.text);
    ctx.note(`POST /checkv2 -> ${response.status} action=${verdict.action} score=${verdict.score}`);
    expectThat(typeof verdict.action === "string", "an action from /checkv2", response.text.slice(0, 200) || `HTTP ${response.status}`);
    const pong = await redisPing(ctx);
    ctx.note(`redis PING -> ${pong}`);
    expectThat(pong === "PONG", "PONG from Redis on 127.0.0.1:6379", pong);
    const recorded = await recordedScan(ctx);
    if (recorded) {
      ctx.note(`redis: this scan (subject "msf ${ctx.token}") in Rspamd's history list ${recorded}`);
      return `/checkv2: action "${verdict.action}" (score ${verdict.score}); Redis PONG on 127.0.0.1:6379, and Rspamd recorded this scan in it (${recorded})`;
    }
    // No history kept in this Redis (history_redis off): Rspamd's own configuration is the proof left. Costly under emulation.
    const dump = await ctx.remote(["rspamadm", "configdump", "redis"]);
    const servers = /servers\s*=\s*"?([^";\n]+)"?/.exec(dump.stdout)?.[1]?.trim();
    expectThat(servers === "127.0.0.1:6379" || servers === "127.0.0.1", "Rspamd configured with Redis at 127.0.0.1:6379", servers ?? dump.stdout.slice(0, 200));
    return `/checkv2: action "${verdict.action}" (score ${verdict.score}); Redis PONG on 127.0.0.1:6379, the server Rspamd uses (${servers})`;
  },
});

/**
 * The history list of this Redis that holds the check's own scan (found by its token), waiting for
 * Rspamd to write it; undefined when Rspamd keeps no history here or records it in another form.
 */
async function recordedScan(ctx: CheckContext): Promise<string | undefined> {
  const found = await ctx
    .waitFor("Rspamd to record the scan in Redis", 10_000, () =>
      withRedis(ctx, async (redis) => {
        const lists = await rspamdHistory(redis);
        if (!lists.length) return { key: undefined };
        const hit = lists.find((list) => list.entries.some((entry) => entry.includes(ctx.token)));
        return hit ? { key: hit.key } : undefined;
      }),
    )
    .catch((error: Error) => {
      ctx.note(`redis: this scan not found in Rspamd's history (${error.message})`);
      return { key: undefined };
    });
  return found.key;
}

export const lookups = check({
  id: "postgresql",
  component: "postgresql",
  title: "The mailbox resolves through PostgreSQL: postmap -q (pgsql maps) and doveadm user",
  needsSsh: true,
  async run(ctx) {
    const { recipient } = ctx.mailboxes();
    const owner = ctx.target.accounts.find((a) => a.aliases.length);
    const alias = owner?.aliases[0];
    // Independent lookups, each a process start on the server: at once.
    const [mailbox, domain, user, aliased] = await Promise.all([
      ctx.remote(["postmap", "-q", recipient.address, "pgsql:/etc/postfix/pgsql/mailboxes.cf"]),
      ctx.remote(["postmap", "-q", ctx.target.domain, "pgsql:/etc/postfix/pgsql/domains.cf"]),
      ctx.remote(["doveadm", "user", recipient.address]),
      alias ? ctx.remote(["postmap", "-q", alias, "pgsql:/etc/postfix/pgsql/aliases.cf"]) : undefined,
    ]);
    expectThat(mailbox.stdout.trim() === "1", `postmap to find ${recipient.address} (1)`, mailbox.stdout.trim() || mailbox.stderr.trim() || "nothing");
    expectThat(domain.stdout.trim() === "1", `postmap to find the domain ${ctx.target.domain}`, domain.stdout.trim() || "nothing");
    expectThat(user.exitCode === 0 && /uid\s+\d+/.test(user.stdout), `doveadm user to resolve ${recipient.address}`, (user.stdout + user.stderr).trim());
    if (owner && aliased)
      expectThat(aliased.stdout.trim() === owner.address, `the alias ${alias} to resolve to ${owner.address}`, aliased.stdout.trim() || "nothing");
    return `postmap found ${recipient.address} and ${ctx.target.domain}; doveadm user: ${user.stdout.trim().split("\n").join(", ")}`;
  },
});

/** Lines that must not appear in the stack's logs while the checks run. */
const BAD_LOG = /connection refused|\bfatal\b|\bpanic\b/i;
const STACK_LOG = /postfix|dovecot|rspamd|clamd|clamav|redis|postgres/i;
/**
 * A remote mail server refusing Postfix's SMTP client is the world, not this stack: a real server
 * sees it every day, and so does msf's own deferred test message (192.0.2.1) when Postfix retries it.
 */
const REMOTE_REFUSAL = /postfix(?:-[\w-]+)?\/smtp\[\d+\]: .*\bconnect to \S+\[[^\]]+\]:25: connection refused/i;

/** Pure: the journal lines that say the stack itself is failing. */
export function stackLogProblems(lines: readonly string[]): string[] {
  return lines.filter((line) => STACK_LOG.test(line) && BAD_LOG.test(line) && !REMOTE_REFUSAL.test(line));
}

export function cleanLogsCheck(since: () => number | undefined) {
  return check({
    id: "clean-logs",
    component: "stack",
    title: 'No "Connection refused", "fatal" or "panic" from the stack during the checks',
    needsSsh: true,
    async run(ctx) {
      const from = since();
      expectThat(from !== undefined, "the server's clock at the start of the checks", "none");
      const journal = await ctx.remote(["journalctl", "--no-pager", "-o", "short-iso", "--since", `@${from}`], 60_000);
      const lines = journal.stdout.split("\n");
      const bad = stackLogProblems(lines);
      ctx.evidence.length = 0; // the whole journal is not evidence; the offending lines are
      for (const line of bad.slice(0, 30)) ctx.note(line);
      expectThat(bad.length === 0, "no such line", `${bad.length} line(s), first: ${bad[0]}`);
      return `${lines.length} journal lines since the checks started, none from the stack with "Connection refused", "fatal" or "panic"`;
    },
  });
}
