import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { parseReport, type Report } from "@msf/report";
import type { MsfContext } from "@msf/supervisor";
import { type RunStatus, readJournal, replayJournal } from "./journal.ts";

export interface RunSummary {
  runId: string;
  dir: string;
  status: RunStatus["status"];
  matrix: string[];
  done: number;
  total: number;
  reportDir: string;
}

/** A run as its journal tells it. */
export interface RunRecord {
  summary: RunSummary;
  status: RunStatus;
  /** The task ids the run was started with. */
  taskIds: string[];
}

/** Runs of this state directory with a journal, newest first (only the newest `limit` of them when given). */
export async function readRuns(ctx: MsfContext, limit = Number.POSITIVE_INFINITY): Promise<RunRecord[]> {
  return (await pageRuns(ctx, { limit })).runs;
}

export interface RunPageOptions {
  limit: number;
  /** Only runs older than this id (the previous page's `next`). */
  before?: string;
  /** Only runs started on this day (YYYY-MM-DD, UTC) or later: a run id begins with its start time. */
  since?: string;
  where?: (run: RunRecord) => boolean;
}

/** A page of runs, newest first; `next` when more may follow. Journals are read only until the page is full. */
export async function pageRuns(ctx: MsfContext, options: RunPageOptions): Promise<{ runs: RunRecord[]; next?: string }> {
  const sinceId = options.since?.replaceAll("-", "");
  const ids = (await readdir(ctx.paths.runs).catch(() => [] as string[]))
    .filter((id) => !id.startsWith(".") && (options.before === undefined || id < options.before) && (sinceId === undefined || id >= sinceId))
    .sort()
    .reverse();
  const runs: RunRecord[] = [];
  for (const runId of ids) {
    const run = await readRun(ctx, runId);
    if (!run || (options.where && !options.where(run))) continue;
    if (runs.length === options.limit) return { runs, next: runs.at(-1)?.summary.runId };
    runs.push(run);
  }
  return { runs };
}

/** One run as its journal tells it; undefined without a journal. */
async function readRun(ctx: MsfContext, runId: string): Promise<RunRecord | undefined> {
  const dir = join(ctx.paths.runs, runId);
  const events = await readJournal(join(dir, "journal.ndjson")).catch(() => undefined);
  if (!events?.length) return undefined;
  const status = replayJournal(events);
  const started = events.find((e) => e.type === "run-started");
  const tasks = Object.values(status.tasks);
  const summary: RunSummary = {
    runId,
    dir,
    status: status.status,
    matrix: started?.type === "run-started" ? started.matrix : [],
    done: tasks.filter((t) => t.state === "done").length,
    total: tasks.length,
    reportDir: join(dir, "report"),
  };
  return { summary, status, taskIds: started?.type === "run-started" ? started.tasks : [] };
}

/** How many of the newest runs the planner learns task durations from. */
export const DURATION_RUNS = 10;

/** The newest runs the planner learns from: task durations ("longest first"), and whether VMs may share the cores. */
export async function planHistory(ctx: MsfContext): Promise<RunStatus[]> {
  return (await readRuns(ctx, DURATION_RUNS)).map((run) => run.status);
}

/** Pure: the middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Pure: the median duration of every task id that finished `done` in these runs. */
export function medianDurations(runs: readonly RunStatus[]): Record<string, number> {
  const samples = new Map<string, number[]>();
  for (const run of runs) {
    for (const [id, task] of Object.entries(run.tasks)) {
      if (task.state !== "done" || task.durationMs === undefined) continue;
      const values = samples.get(id) ?? [];
      values.push(task.durationMs);
      samples.set(id, values);
    }
  }
  return Object.fromEntries([...samples].map(([id, values]) => [id, median(values)]));
}

/** Every run of this state directory, newest first, from its journal. */
export async function listRuns(ctx: MsfContext): Promise<RunSummary[]> {
  return (await readRuns(ctx)).map((run) => run.summary);
}

/** One run (the newest when no id is given), or a not-found error saying how to find one. */
export async function findRun(ctx: MsfContext, runId?: string): Promise<RunSummary> {
  // A run id names one directory under runs/: read that journal alone, not the whole history.
  const named = async (id: string) => (/^[^./][^/]*$/.test(id) ? await readRun(ctx, id) : undefined);
  const run = (runId ? await named(runId) : (await readRuns(ctx, 1))[0])?.summary;
  if (!run) throw new MsfError("ERR_MSF_NOT_FOUND", runId ? `no run ${runId}` : "no runs yet", { hint: "msf runs lists them; msf run starts one" });
  return run;
}

/** A run's report.json, validated; undefined while it has none, or when it is damaged (it is then no baseline and no history). */
export async function readRunReport(reportDir: string): Promise<Report | undefined> {
  const text = await readFile(join(reportDir, "report.json"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseReport(text);
  } catch {
    return undefined;
  }
}

/** A run's report.json (the newest run's when no id is given), validated. */
export async function loadRunReport(ctx: MsfContext, runId?: string): Promise<{ run: RunSummary; report: Report }> {
  const run = await findRun(ctx, runId);
  const text = await readFile(join(run.reportDir, "report.json"), "utf8").catch(() => {
    throw new MsfError("ERR_MSF_NOT_FOUND", `run ${run.runId} has no report yet (${run.status})`, { hint: `msf status ${run.runId}` });
  });
  return { run, report: parseReport(text) };
}
