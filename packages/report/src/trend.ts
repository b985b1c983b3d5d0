import { cellKind } from "./cell.ts";
import type { DistributionResult } from "./model.ts";

/** How a check has been doing over a distribution's recent runs. */
export type CheckTrend = "passing" | "regression" | "still-failing" | "fixed" | "flaky" | "failing";

/** Runs looked at for flakiness: a check whose verdict changed twice or more among these is flaky. */
export const FLAKY_WINDOW = 5;

/** The trend from the newest verdict and the one before it (true: passed). */
const BY_LAST_TWO: Record<`${boolean},${boolean}`, CheckTrend> = {
  "true,true": "passing",
  "true,false": "fixed",
  "false,true": "regression",
  "false,false": "still-failing",
};

/**
 * Pure: per check, from a distribution's results newest first, its trend against the previous run
 * where the checks ran: a new failure (regression), still failing, fixed, or flaky (its verdict
 * changed at least twice in the last few runs). Runs that failed for the infrastructure (no checks
 * ran, or a timeout) are skipped: they say nothing about a check.
 */
export function checkTrends(newestFirst: readonly DistributionResult[]): Array<{ id: string; trend: CheckTrend; recent: boolean[] }> {
  const runs = newestFirst.filter((d) => d.checks.length > 0 && cellKind(d) !== "infrastructure");
  const [newest] = runs;
  if (!newest) return [];
  return newest.checks.map(({ id }) => {
    const recent = runs.slice(0, FLAKY_WINDOW).flatMap((d) => d.checks.filter((c) => c.id === id && c.status !== "skip").map((c) => c.status === "pass"));
    const [now, before] = recent;
    const changes = recent.filter((passed, i) => i > 0 && passed !== recent[i - 1]).length;
    const trend: CheckTrend =
      changes >= 2 ? "flaky" : before === undefined ? (now === false ? "failing" : "passing") : BY_LAST_TWO[`${now as boolean},${before}`];
    return { id, trend, recent };
  });
}
