import { MsfError } from "@msf/core";
import { Redis } from "ioredis";

/**
 * A connection to the queue's Redis. BullMQ needs `maxRetriesPerRequest: null` (its blocking
 * commands wait across reconnects); ioredis reconnects on its own, so a Redis restart is waited out.
 */
export function openRedis(url: string): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MsfError("ERR_MSF_USAGE", `--queue ${redactRedisUrl(url)} is not a URL`, { hint: "give it as redis://host:6379 (rediss:// for TLS)" });
  }
  if (!["redis:", "rediss:"].includes(parsed.protocol)) {
    throw new MsfError("ERR_MSF_USAGE", `--queue ${redactRedisUrl(url)} is not a redis:// URL`, { hint: "give it as redis://host:6379 (rediss:// for TLS)" });
  }
  return quiet(new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000) }));
}

/** Connection errors are retried by ioredis itself (`connected` reports the first one that lasts): not printed. */
export function quiet(redis: Redis): Redis {
  redis.on("error", () => {});
  return redis;
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/**
 * BullMQ loses jobs if Redis may evict keys: msf refuses any policy but `noeviction`. A Redis that
 * forbids CONFIG (a managed one) is taken at its word, with a note.
 */
export async function checkEvictionPolicy(redis: Redis, url: string): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    policy = ((await redis.config("GET", "maxmemory-policy")) as string[])[1];
  } catch {
    return `could not read maxmemory-policy of ${redactRedisUrl(url)} (CONFIG refused); it must be noeviction`;
  }
  if (policy !== "noeviction") {
    throw new MsfError("ERR_MSF_QUEUE", `Redis at ${redactRedisUrl(url)} has maxmemory-policy ${policy}: it could evict queued steps`, {
      hint: "set maxmemory-policy noeviction in redis.conf (or: redis-cli config set maxmemory-policy noeviction)",
    });
  }
  return undefined;
}

/** A connection that is up (a clear error within `timeoutMs` when Redis is not there: commands would otherwise wait for it). */
export async function connectRedis(url: string, timeoutMs = 10_000): Promise<Redis> {
  const redis = openRedis(url);
  try {
    await connected(redis, url, timeoutMs);
    return redis;
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

async function connected(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return;
  const hint = "start redis-server there (Debian: apt-get install redis-server), or check the host, port and password";
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      reject(new MsfError("ERR_MSF_QUEUE", `cannot reach Redis at ${redactRedisUrl(url)}: ${why}`, { hint }));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    const ready = () => {
      cleanup();
      resolve();
    };
    // Nothing listens there, or the name does not resolve: no point in waiting. (Later, ioredis retries.)
    const error = (cause: NodeJS.ErrnoException) => {
      if (cause.code === "ECONNREFUSED" || cause.code === "ENOTFOUND" || /NOAUTH|WRONGPASS/.test(cause.message)) fail(cause.code ?? cause.message);
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", ready);
      redis.off("error", error);
    };
    redis.on("ready", ready);
    redis.on("error", error);
  });
}
