import { type Report, verdictOf } from "./model.ts";

export interface Comparison {
  newlyFailing: string[];
  newlyPassing: string[];
  /** Phases or checks more than 20% slower (and at least a second). */
  slower: Array<{ what: string; beforeMs: number; afterMs: number }>;
}

/** Pure: what changed from run `before` to run `after`. */
export function compareReports(before: Report, after: Report): Comparison {
  const verdicts = (report: Report) => new Map(report.distributions.map((d) => [d.id, verdictOf(d)]));
  const checks = (report: Report) => new Map(report.distributions.flatMap((d) => d.checks.map((c) => [`${d.id}:${c.id}`, c] as const)));
  const timings = (report: Report) =>
    new Map(
      report.distributions.flatMap((d) => [
        ...d.phases.map((p) => [`${d.id}:${p.phase}`, p.durationMs] as const),
        ...d.checks.map((c) => [`${d.id}:${c.id}`, c.durationMs] as const),
      ]),
    );
  const [vBefore, vAfter, cBefore, cAfter] = [verdicts(before), verdicts(after), checks(before), checks(after)];
  const failing = (status: string | undefined) => status === "failed" || status === "fail" || status === "error";
  const passing = (status: string | undefined) => status === "passed" || status === "pass";
  const newlyFailing = [
    ...[...vAfter].filter(([id, v]) => failing(v) && passing(vBefore.get(id))).map(([id]) => id),
    ...[...cAfter].filter(([id, c]) => failing(c.status) && passing(cBefore.get(id)?.status)).map(([id]) => id),
  ];
  const newlyPassing = [
    ...[...vAfter].filter(([id, v]) => passing(v) && failing(vBefore.get(id))).map(([id]) => id),
    ...[...cAfter].filter(([id, c]) => passing(c.status) && failing(cBefore.get(id)?.status)).map(([id]) => id),
  ];
  const tBefore = timings(before);
  const slower: Comparison["slower"] = [];
  for (const [what, afterMs] of timings(after)) {
    const beforeMs = tBefore.get(what);
    if (beforeMs !== undefined && afterMs !== undefined && afterMs > beforeMs * 1.2 && afterMs - beforeMs >= 1000) slower.push({ what, beforeMs, afterMs });
  }
  return { newlyFailing, newlyPassing, slower };
}
