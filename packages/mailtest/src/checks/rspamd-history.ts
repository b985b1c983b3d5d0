import { zstdDecompressSync } from "node:zlib";
import type { Redis } from "ioredis";

/** Rspamd's history_redis module keeps its scans in a list named rs_history<host>, `_zst` when compressed. */
const HISTORY_KEYS = "rs_history*";
const MAX_ENTRY_BYTES = 1 << 20;
const MAX_SCAN_ROUNDS = 50;

/**
 * Pure: one history entry as text (zstd-compressed under a `_zst` key); an entry that does not
 * decode, or would decode past a megabyte (a hostile server), is empty.
 */
export function decodeHistoryEntry(key: string, entry: Buffer): string {
  try {
    return (key.endsWith("_zst") ? zstdDecompressSync(entry, { maxOutputLength: MAX_ENTRY_BYTES }) : entry.subarray(0, MAX_ENTRY_BYTES)).toString("utf8");
  } catch {
    return "";
  }
}

/**
 * The newest entries of every Rspamd history list in this Redis, decoded; none when Rspamd keeps no
 * history here. Bounded: a few hundred entries of a few lists, SCAN rounds capped.
 */
export async function rspamdHistory(redis: Redis, rows = 200): Promise<Array<{ key: string; entries: string[] }>> {
  const keys = new Set<string>();
  let cursor = "0";
  for (let round = 0; round < MAX_SCAN_ROUNDS && keys.size < 8; round++) {
    // Only lists (SCAN's TYPE, Redis 6.0+: Debian 11 has 6.0): other Rspamd versions keep a hash or a set under the same prefix.
    const [next, found] = await redis.scan(cursor, "MATCH", HISTORY_KEYS, "COUNT", 1000, "TYPE", "list");
    for (const key of found) keys.add(key);
    cursor = next;
    if (cursor === "0") break;
  }
  return Promise.all(
    [...keys].map(async (key) => ({ key, entries: (await redis.lrangeBuffer(key, 0, rows - 1)).map((entry) => decodeHistoryEntry(key, entry)) })),
  );
}
