import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Verdict, verdictOf } from "@msf/report";
import type { MsfContext } from "@msf/supervisor";
import { listRuns, type RunSummary, readRunReport } from "./history.ts";

/** What retention needs of a run: whether it is over, and each distribution's verdict in it. */
export interface RetainedRun {
  runId: string;
  /** Still running: never removed. */
  running: boolean;
  verdicts: Record<string, Verdict>;
}

/**
 * Pure: the runs to remove, from every run newest first. Kept: a running run; per distribution the
 * newest `keep` finished runs that include it, its last good run and the first bad run after it
 * (where a regression is explained). A run is removed only when no distribution keeps it.
 */
export function runsToRemove(newestFirst: readonly RetainedRun[], keep: number): RetainedRun[] {
  const kept = new Set(newestFirst.filter((run) => run.running).map((run) => run.runId));
  const distros = new Set(newestFirst.flatMap((run) => Object.keys(run.verdicts)));
  for (const distro of distros) {
    const runs = newestFirst.filter((run) => !run.running && distro in run.verdicts);
    for (const run of runs.slice(0, keep)) kept.add(run.runId);
    const good = runs.findIndex((run) => run.verdicts[distro] === "passed");
    if (good >= 0) kept.add((runs[good] as RetainedRun).runId);
    // The oldest failure newer than the last good run.
    const firstBad = runs.slice(0, good >= 0 ? good : runs.length).findLast((run) => run.verdicts[distro] === "failed");
    if (firstBad) kept.add(firstBad.runId);
  }
  return newestFirst.filter((run) => !kept.has(run.runId));
}

/** A run's distributions and their verdicts: from its report, or (no report yet) its matrix, not run. */
async function retainedRun(run: RunSummary): Promise<RetainedRun> {
  const report = await readRunReport(run.reportDir);
  const verdicts: Record<string, Verdict> = Object.fromEntries(run.matrix.map((distro) => [distro, "not-run" as Verdict]));
  for (const distribution of report?.distributions ?? []) verdicts[distribution.id] = verdictOf(distribution);
  return { runId: run.runId, running: run.status === "running", verdicts };
}

/**
 * `msf runs gc`: removes the run directories retention does not keep (with their artifacts). A run
 * is first renamed out of sight, then removed, so a half-removed run never looks like a run.
 * `upTo`: decide only over this run and older ones; newer runs are neither removed nor counted (a
 * server that is behind must not lose the history a newer run's alert still compares against).
 */
export async function runsGc(ctx: MsfContext, options: { keep: number; dryRun?: boolean; upTo?: string }): Promise<{ removed: string[]; kept: number }> {
  const { upTo } = options;
  const runs = (await listRuns(ctx)).filter((run) => upTo === undefined || run.runId <= upTo);
  const removed = runsToRemove(await Promise.all(runs.map(retainedRun)), options.keep);
  if (!options.dryRun) {
    for (const { runId } of removed) {
      const hidden = join(ctx.paths.runs, `.removing-${runId}`);
      await rename(join(ctx.paths.runs, runId), hidden);
      await rm(hidden, { recursive: true, force: true });
    }
  }
  return { removed: removed.map((run) => run.runId), kept: runs.length - removed.length };
}
