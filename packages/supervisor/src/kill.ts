import { setTimeout as sleep } from "node:timers/promises";
import { descendants, isProcessAlive, processGroupMembers } from "@msf/core";

/**
 * Signals a process, its whole process group (when it leads one) and any descendant that left
 * the group; false when nothing was there. Once the leader has exited and been reaped its pid may
 * belong to someone else: then pass `leaderAlive: false` and only its group is signalled (a group
 * id cannot be reused while members remain).
 */
export function signalTree(pgid: number, signal: NodeJS.Signals, leaderAlive = true): boolean {
  const strays = leaderAlive ? descendants(pgid).filter((p) => p.pgid !== pgid) : [];
  let delivered = trySignal(-pgid, signal);
  if (leaderAlive) delivered = trySignal(pgid, signal) || delivered;
  for (const stray of strays) delivered = trySignal(stray.pid, signal) || delivered;
  return delivered;
}

function trySignal(target: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

export function treeAlive(pgid: number, leaderAlive = true): boolean {
  if (!leaderAlive) return processGroupMembers(pgid).length > 0;
  return isProcessAlive(pgid) || processGroupMembers(pgid).length > 0 || descendants(pgid).length > 0;
}

export interface EndTreeResult {
  /** The tree was running when asked. */
  wasRunning: boolean;
  /** SIGTERM was not enough. */
  forced: boolean;
}

/**
 * Ends a process tree that is not our child (no exit event to wait for): SIGTERM, a bounded wait,
 * then SIGKILL. Only for pids whose identity the caller verified (pid registry: pid + start time).
 */
export async function endTree(pgid: number, graceMs: number, onSignal?: (signal: NodeJS.Signals) => void): Promise<EndTreeResult> {
  if (!treeAlive(pgid)) return { wasRunning: false, forced: false };
  onSignal?.("SIGTERM");
  signalTree(pgid, "SIGTERM");
  if (await waitUntil(() => !treeAlive(pgid), graceMs)) return { wasRunning: true, forced: false };
  onSignal?.("SIGKILL");
  signalTree(pgid, "SIGKILL");
  await waitUntil(() => !treeAlive(pgid), 5_000);
  return { wasRunning: true, forced: true };
}

/** A bounded wait on /proc for processes we cannot get an exit event from. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await sleep(25);
  }
  return done();
}
