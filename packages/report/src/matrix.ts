import { checkCounts, type Report, seconds, supportLabel, verdictOf } from "./model.ts";

/** Pure: the matrix as cells: one row per distribution, its verdict, its support (end of life), each phase's time (or how it ended), its checks. */
export function matrixRows(
  report: Report,
  verdictLabel: (verdict: ReturnType<typeof verdictOf>) => string = (v) => v,
): {
  header: string[];
  rows: string[][];
} {
  const phases = [...new Set(report.distributions.flatMap((d) => d.phases.map((p) => p.phase)))];
  const rows = report.distributions.map((d) => {
    const counts = checkCounts(d);
    const cells = phases.map((phase) => {
      const result = d.phases.find((p) => p.phase === phase);
      return result ? (result.status === "done" ? seconds(result.durationMs) : result.status) : "";
    });
    return [d.name, verdictLabel(verdictOf(d)), supportLabel(d), ...cells, counts.total ? `${counts.passed}/${counts.total}` : "-"];
  });
  return { header: ["distribution", "verdict", "support", ...phases, "checks"], rows };
}
