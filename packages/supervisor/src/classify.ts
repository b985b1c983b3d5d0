import type { ProcessRecord } from "./types.ts";

/**
 * running: alive and watched by a live msf process, or deliberately detached (a VM left up).
 * orphaned: alive, but its owner died (msf crashed or was killed).
 * gone: not running, or its pid now belongs to another process.
 */
export type RecordState = "running" | "orphaned" | "gone";

export function classifyRecord(record: ProcessRecord, isAlive: (pid: number, startTicks: number) => boolean): RecordState {
  if (!isAlive(record.pid, record.startTicks)) return "gone";
  if (record.owner === null) return "running";
  return isAlive(record.owner.pid, record.owner.startTicks) ? "running" : "orphaned";
}
