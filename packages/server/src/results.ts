import { pageRuns, readRunReport } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import type { ResultOf } from "./history.ts";

/** How many of the newest finished runs the matrix and the histories look through. */
export const HISTORY_RUNS = 50;

/** Every distribution's result in the newest finished runs that have a report, newest first. */
export async function readResults(ctx: MsfContext, runs = HISTORY_RUNS): Promise<ResultOf[]> {
  const page = await pageRuns(ctx, { limit: runs, where: (run) => run.summary.status !== "running" });
  const results: ResultOf[] = [];
  for (const run of page.runs) {
    const report = await readRunReport(run.summary.reportDir);
    for (const distribution of report?.distributions ?? []) results.push({ runId: run.summary.runId, finishedAt: report?.finishedAt, distribution });
  }
  return results;
}

/** Pure: the newest result of every distribution, by id. */
export function newestResults(results: readonly ResultOf[]): ResultOf[] {
  const newest = new Map<string, ResultOf>();
  for (const result of results) if (!newest.has(result.distribution.id)) newest.set(result.distribution.id, result);
  return [...newest.values()].sort((a, b) => a.distribution.id.localeCompare(b.distribution.id));
}
