import type { Redis } from "ioredis";
import { LOST_AFTER_MS, type WorkerInfo, WorkerInfoSchema, type WorkerState, workerState } from "./capabilities.ts";
import { WORKERS_KEY } from "./names.ts";

export type ListedWorker = WorkerInfo & { state: WorkerState };

/** Writes (or renews) a worker's record. */
export async function announceWorker(redis: Redis, info: WorkerInfo): Promise<void> {
  await redis.hset(WORKERS_KEY, info.id, JSON.stringify(info));
}

export async function forgetWorker(redis: Redis, id: string): Promise<void> {
  await redis.hdel(WORKERS_KEY, id);
}

/** Every worker that registered, with its state now; records that do not parse are left out. */
export async function listWorkers(redis: Redis, now = Date.now(), lostAfterMs = LOST_AFTER_MS): Promise<ListedWorker[]> {
  const all = await redis.hgetall(WORKERS_KEY);
  return Object.values(all)
    .flatMap((json) => {
      const parsed = WorkerInfoSchema.safeParse(safeJson(json));
      return parsed.success ? [{ ...parsed.data, state: workerState(parsed.data, now, lostAfterMs) }] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
