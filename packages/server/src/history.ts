import { catalog, lifecycleOf } from "@msf/catalog";
import { type DistributionResult, verdictOf } from "@msf/report";
import { type ImageRow, median } from "@msf/run";

/** One run's result for one distribution. */
export interface ResultOf {
  runId: string;
  finishedAt?: string;
  distribution: DistributionResult;
}

export interface DistributionHistory {
  id: string;
  name: string;
  latest: { runId: string; verdict: ReturnType<typeof verdictOf> };
  /** The newest run where it passed. */
  lastGood?: string;
  /** The first run after the last good one where it failed: where to look for what changed. */
  firstBad?: string;
  /** Over the runs that ran it to the end (passed or failed). */
  passRate: { passed: number; runs: number };
  /** Median time of each phase over the runs where that phase was done. */
  medianMs: Record<string, number>;
}

/** Pure: per distribution, from its results newest first: the newest verdict, last good, first bad, pass rate, median phase times. */
export function distributionHistories(results: readonly ResultOf[]): DistributionHistory[] {
  const byId = new Map<string, ResultOf[]>();
  for (const result of results) byId.set(result.distribution.id, [...(byId.get(result.distribution.id) ?? []), result]);
  return [...byId.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, newestFirst]) => {
      const verdicts = newestFirst.map((r) => verdictOf(r.distribution));
      const good = verdicts.indexOf("passed");
      // Newer than the last good run, the oldest failure.
      const bad = verdicts.slice(0, good === -1 ? verdicts.length : good).lastIndexOf("failed");
      const durations = new Map<string, number[]>();
      for (const r of newestFirst) {
        for (const p of r.distribution.phases) {
          if (p.status === "done" && p.durationMs !== undefined) durations.set(p.phase, [...(durations.get(p.phase) ?? []), p.durationMs]);
        }
      }
      const [newest] = newestFirst as [ResultOf, ...ResultOf[]];
      return {
        id,
        name: newest.distribution.name,
        latest: { runId: newest.runId, verdict: verdicts[0] ?? "not-run" },
        lastGood: good === -1 ? undefined : newestFirst[good]?.runId,
        firstBad: bad === -1 ? undefined : newestFirst[bad]?.runId,
        passRate: { passed: verdicts.filter((v) => v === "passed").length, runs: verdicts.filter((v) => v === "passed" || v === "failed").length },
        medianMs: Object.fromEntries([...durations].map(([phase, values]) => [phase, median(values)])),
      };
    });
}

/** Pure: the catalog's distributions, and any other a run included, each with its history and its images (newest first). */
export function distributionRows(histories: readonly DistributionHistory[], images: readonly ImageRow[]) {
  const ids = [...new Set([...catalog.map((d) => d.id), ...histories.map((h) => h.id)])].sort();
  return ids.map((id) => {
    const entry = catalog.find((d) => d.id === id);
    const history = histories.find((h) => h.id === id);
    return {
      id,
      name: entry?.name ?? history?.name ?? id,
      family: entry?.family,
      lifecycle: entry ? lifecycleOf(entry).state : undefined,
      history,
      images: images
        .filter((image) => image.distro === id)
        .map(({ key, builtAt, sizeBytes, stack, pinned, lastRun }) => ({ key, builtAt, sizeBytes, stack, pinned, lastRun })),
    };
  });
}
