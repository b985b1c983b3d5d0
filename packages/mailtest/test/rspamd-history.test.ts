import { zstdCompressSync } from "node:zlib";
import { startRedis, type TestRedis } from "@msf/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeHistoryEntry, rspamdHistory } from "../src/checks/rspamd-history.ts";

describe("decodeHistoryEntry", () => {
  it("decompresses under a _zst key and reads plain JSON under another", () => {
    const json = JSON.stringify({ subject: "msf 0a1b2c", action: "no action" });
    expect(decodeHistoryEntry("rs_historymail_zst", zstdCompressSync(json))).toBe(json);
    expect(decodeHistoryEntry("rs_historymail", Buffer.from(json))).toBe(json);
  });

  it("gives nothing for what does not decode or would decode past a megabyte", () => {
    expect(decodeHistoryEntry("rs_historymail_zst", Buffer.from("not zstd"))).toBe("");
    expect(decodeHistoryEntry("rs_historymail_zst", zstdCompressSync(Buffer.alloc(2 << 20, "a")))).toBe("");
  });
});

// Debian's redis-server on loopback, written the way Rspamd's history_redis writes (LPUSH, newest first).
describe("rspamdHistory against a real Redis", () => {
  let server: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.close();
  });

  it("is empty where Rspamd keeps no history, and finds each host's list, decoded, newest first", async () => {
    await redis.set("rs_clamav_0123", "cached verdict");
    await redis.hset("rs_history_stats", "count", "3"); // the same prefix, not a list: skipped, not LRANGEd
    expect(await rspamdHistory(redis)).toEqual([]);
    await redis.lpush("rs_historymail_zst", zstdCompressSync('{"subject":"older"}'), zstdCompressSync('{"subject":"msf 0a1b2c"}'));
    await redis.lpush("rs_historyother", '{"subject":"plain"}');
    const lists = await rspamdHistory(redis);
    expect(lists.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "rs_historymail_zst", entries: ['{"subject":"msf 0a1b2c"}', '{"subject":"older"}'] },
      { key: "rs_historyother", entries: ['{"subject":"plain"}'] },
    ]);
    expect((await rspamdHistory(redis, 1))[0]?.entries).toHaveLength(1);
  });
});
