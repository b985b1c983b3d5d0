import { type SshSession, sh } from "@msf/ssh";

/** A guest counts as settled when its CPUs are busy less than this share of a sample. */
export const QUIET_BUSY_SHARE = 0.15;
const SAMPLE_SECONDS = 2;

/**
 * Pure: the share of CPU time spent busy between two `cpu` lines of /proc/stat (user, nice,
 * system, idle, iowait, irq, softirq, steal; idle and iowait are the quiet part).
 */
export function busyShare(before: string, after: string): number {
  const fields = (line: string) => line.trim().split(/\s+/).slice(1, 9).map(Number);
  const [a, b] = [fields(before), fields(after)];
  if (a.length < 5 || b.length < 5 || [...a, ...b].some((n) => !Number.isFinite(n))) throw new Error(`not /proc/stat cpu lines: ${before} / ${after}`);
  const delta = b.map((value, i) => value - (a[i] ?? 0));
  const total = delta.reduce((sum, value) => sum + value, 0);
  const quiet = (delta[3] ?? 0) + (delta[4] ?? 0);
  return total > 0 ? (total - quiet) / total : 0;
}

/**
 * Waits until the deployed guest has finished what its services do once after a start (Rspamd
 * compiles its Hyperscan databases, ClamAV loads signatures): a snapshot saved before that would
 * make every restored VM do it again during its checks. Gives up quietly at the deadline.
 */
export async function settleGuest(session: SshSession, options: { timeoutMs: number; signal?: AbortSignal }): Promise<{ ms: number }> {
  const started = Date.now();
  while (Date.now() - started < options.timeoutMs && !options.signal?.aborted) {
    const sample = await session.exec(sh`head -n1 /proc/stat; sleep ${String(SAMPLE_SECONDS)}; head -n1 /proc/stat`, {
      timeoutMs: 30_000,
      signal: options.signal,
    });
    const [before = "", after = ""] = sample.stdout.split("\n");
    if (sample.exitCode !== 0 || !stillBusy(before, after)) break;
  }
  return { ms: Date.now() - started };
}

/** Whether another sample is worth taking: still busy, and the sample could be read at all. */
function stillBusy(before: string, after: string): boolean {
  try {
    return busyShare(before, after) >= QUIET_BUSY_SHARE;
  } catch {
    return false;
  }
}
