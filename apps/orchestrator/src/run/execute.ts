import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { formatMs, MsfError, readJsonIfExists, writeJsonAtomic } from "@msf/core";
import { acquireLock } from "@msf/supervisor";
import { type MsfContext, withLogFile } from "../context.ts";
import { killProcess, listProcesses } from "../processes.ts";
import { vmDown } from "../vm/down.ts";
import { readVmState } from "../vm/state.ts";
import type { Phase, RunConfig } from "./config.ts";
import { DURATION_RUNS, medianDurations, type RunRecord, readRuns } from "./history.ts";
import { Journal, type JournalEvent, type RunStatus, readJournal, replayJournal } from "./journal.ts";
import { narrowPlan, type PlannedTask, planRun, type RunPlan } from "./plan.ts";
import { writeRunReport } from "./report.ts";
import { restoreFinished } from "./resume.ts";
import { remainingPaths, skipAfterFailure, type TaskState, tasksToStart } from "./scheduler.ts";
import { collect, runTask, runVmName } from "./tasks.ts";

export type RunEvent =
  | { type: "run-planned"; runId: string; dir: string; resumed: boolean; tasks: number; matrix: string[] }
  | { type: "task-started"; task: string; timeoutMs: number }
  | { type: "task-finished"; task: string; status: TaskState | "timed-out" | "interrupted"; durationMs: number; message?: string }
  | { type: "task-output"; task: string; line: string }
  | { type: "run-finished"; runId: string; status: "passed" | "failed" | "interrupted"; reportDir: string };

type FinishedStatus = Extract<JournalEvent, { type: "task-finished" }>["status"];

export interface RunOptions {
  config: RunConfig;
  /** Only these distributions. */
  distros?: string[];
  /** Stop after this phase (earlier ones are reused: cached images, running VMs, idempotent deploys). */
  phase?: Phase;
  /** Continue the latest unfinished run (also done when the latest run is unfinished and has the same matrix). */
  resume?: boolean;
  onEvent?: (event: RunEvent) => void;
}

export interface RunResult {
  runId: string;
  dir: string;
  status: "passed" | "failed" | "interrupted";
  reportDir: string;
  tasks: RunStatus["tasks"];
}

/** The whole matrix: plan, schedule within the budget, journal every step, report. One run per state directory. */
export async function runMatrix(hostCtx: MsfContext, options: RunOptions): Promise<RunResult> {
  const emit = options.onEvent ?? (() => {});
  const lock = await acquireLock(join(hostCtx.paths.runs, ".run.lock"), { timeoutMs: 1_000 }).catch((error: unknown) => {
    throw new MsfError("ERR_MSF_LOCKED", "another msf run is using this state directory", {
      hint: "msf status shows it; wait for it or end it (Ctrl-C)",
      cause: error,
    });
  });
  try {
    const host = await hostBudget(hostCtx);
    // One read of the newest runs: their durations for the plan, the newest one for a resume.
    const history = await readRuns(hostCtx, DURATION_RUNS);
    const durations = medianDurations(history.map((run) => run.status));
    const plan = narrowPlan(planRun({ config: options.config, host, history: durations }), options.distros, options.phase);
    const previous = latestUnfinished(history[0], plan);
    const resumed = Boolean(previous && (options.resume || previous.sameMatrix));
    if (options.resume && !previous) throw new MsfError("ERR_MSF_NOT_FOUND", "there is no unfinished run to resume", { hint: "msf runs lists the runs" });
    const runId =
      resumed && previous ? previous.runId : `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${randomBytes(2).toString("hex")}`;
    const dir = join(hostCtx.paths.runs, runId);
    const journal = await Journal.open(join(dir, "journal.ndjson"));
    // One log per run (appended to on resume), and each process's output beside it.
    const ctx = withLogFile(hostCtx, { path: join(dir, "msf.log"), level: options.config.logLevel, logDir: join(dir, "logs") });
    // Every message of the run (journal, status, report, events) goes through the logger's redaction.
    for (const account of options.config.mail.accounts) if (account.password) ctx.logger.addSecret(account.password);
    ctx.logger.info("run started", { runId, resumed, matrix: plan.matrix });
    const states = new Map<string, TaskState>();
    const outputs = new Map<string, Record<string, unknown>>();
    if (resumed && previous) {
      await endOrphans(ctx);
      await restoreFinished(ctx, plan, previous.status, states, outputs);
    }
    await writeJsonAtomic(join(dir, "plan.json"), plan);
    emit({ type: "run-planned", runId, dir, resumed, tasks: plan.tasks.length, matrix: plan.matrix });

    // Parallel tasks journal one event at a time; status.json is the replay of every event so far.
    const events = await readJournal(journal.path);
    let chain: Promise<unknown> = Promise.resolve();
    const record = (event: Parameters<Journal["append"]>[0]) =>
      (chain = chain.then(async () => {
        events.push(await journal.append(ctx.logger.redact(event)));
        await writeJsonAtomic(join(dir, "status.json"), replayJournal(events));
      }));
    await record({ type: "run-started", at: Date.now(), runId, matrix: plan.matrix, tasks: plan.tasks.map((t) => t.id), resumed });
    const paths = remainingPaths(plan);
    const running = new Map<string, Promise<void>>();
    const start = (task: PlannedTask) => {
      states.set(task.id, "running");
      emit({ type: "task-started", task: task.id, timeoutMs: task.timeoutMs });
      const work = (async () => {
        await record({ type: "task-started", at: Date.now(), task: task.id });
        ctx.logger.info("task started", { task: task.id, timeoutMs: task.timeoutMs });
        const started = Date.now();
        const finish = async (status: FinishedStatus, message?: string, out: Record<string, unknown> = {}) => {
          await record({ type: "task-finished", at: Date.now(), task: task.id, status, durationMs: Date.now() - started, message, outputs: out });
          ctx.logger[status === "done" ? "info" : "warn"]("task finished", { task: task.id, status, durationMs: Date.now() - started, message });
          emit({ type: "task-finished", task: task.id, status, durationMs: Date.now() - started, message: ctx.logger.redact(message) });
        };
        const earlier = Object.assign({}, ...plan.tasks.filter((t) => t.distro === task.distro).map((t) => outputs.get(t.id) ?? {}));
        try {
          const out =
            task.phase === "report"
              ? await writeRunReport({ plan, dir, runId, status: replayJournal(events), host })
              : await withTimeout(task, ctx, (taskCtx) =>
                  runTask(task, {
                    ctx: taskCtx,
                    config: options.config,
                    runDir: dir,
                    earlier,
                    onLine: (line) => emit({ type: "task-output", task: task.id, line }),
                  }),
                );
          outputs.set(task.id, out);
          states.set(task.id, "done");
          await finish("done", undefined, out);
        } catch (error) {
          const timedOut = (error as MsfError).code === "ERR_MSF_TIMEOUT" && (error as { phaseTimeout?: boolean }).phaseTimeout;
          const interrupted = ctx.signal?.aborted;
          states.set(task.id, "failed");
          await finish(interrupted ? "interrupted" : timedOut ? "timed-out" : "failed", (error as Error).message);
          if (!interrupted) {
            for (const id of skipAfterFailure(plan, states, task)) {
              states.set(id, "skipped");
              await record({ type: "task-finished", at: Date.now(), task: id, status: "skipped", durationMs: 0, message: `${task.id} did not succeed` });
            }
          }
          if (!interrupted && task.distro && ["boot", "deploy", "test"].includes(task.phase)) await cleanupVm(ctx, task.distro, dir);
        }
      })();
      running.set(
        task.id,
        work.finally(() => running.delete(task.id)),
      );
    };

    for (;;) {
      if (!ctx.signal?.aborted) for (const task of tasksToStart(plan, states, paths)) start(task);
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    const interrupted = Boolean(ctx.signal?.aborted);
    if (interrupted) for (const distro of plan.matrix) await cleanupVm(ctx, distro, dir);
    const final = replayJournal(events);
    const failed = Object.values(final.tasks).some((t) => t.state !== "done");
    const status = interrupted ? "interrupted" : failed ? "failed" : "passed";
    await record({ type: "run-finished", at: Date.now(), status });
    ctx.logger.info("run finished", { runId, status });
    await journal.close();
    const reportDir = join(dir, "report");
    emit({ type: "run-finished", runId, status, reportDir });
    return { runId, dir, status, reportDir, tasks: final.tasks };
  } finally {
    await lock.release();
  }
}

/** What the host offers a run: its memory (less 2 GiB for itself), its CPUs, the remembered accelerator verdict. */
export async function hostBudget(ctx: MsfContext): Promise<{ memoryMiB: number; cpus: number; accel: "kvm" | "tcg" }> {
  const accel = ((await readJsonIfExists(join(ctx.paths.cache, "accel.json"))) as { accel?: "kvm" | "tcg" } | undefined)?.accel ?? "tcg";
  return { memoryMiB: Math.floor(totalmem() / 1_048_576) - 2_048, cpus: cpus().length, accel };
}

/** Runs a task with its phase timeout: the abort reaches every process it started. */
async function withTimeout<T>(task: PlannedTask, ctx: MsfContext, work: (ctx: MsfContext) => Promise<T>): Promise<T> {
  const timeout = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout.signal]) : timeout.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout.abort();
      reject(Object.assign(new MsfError("ERR_MSF_TIMEOUT", `${task.id} did not finish within ${formatMs(task.timeoutMs)}`), { phaseTimeout: true }));
    }, task.timeoutMs);
  });
  try {
    return await Promise.race([work({ ...ctx, signal }), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A distribution that failed with its VM up: diagnostics are in its VM directory; collect it and power it off. */
async function cleanupVm(ctx: MsfContext, distro: string, dir: string): Promise<void> {
  const name = runVmName(distro);
  const state = await readVmState(ctx.paths.vms, name);
  if (!state || state.status === "stopped") return;
  await collect(ctx, name, join(dir, "vms", distro)).catch(() => vmDown(ctx, { name, graceMs: 10_000 }).catch(() => undefined));
}

/** Processes the killed orchestrator was watching (an image build, a deploy's ssh...): ended before anything reruns. */
async function endOrphans(ctx: MsfContext): Promise<void> {
  const { processes } = await listProcesses(ctx);
  for (const process of processes.filter((p) => p.state === "orphaned")) await killProcess(ctx, String(process.pid)).catch(() => undefined);
}

function latestUnfinished(latest: RunRecord | undefined, plan: RunPlan): { runId: string; status: RunStatus; sameMatrix: boolean } | undefined {
  if (!latest || latest.status.status === "passed" || latest.status.status === "failed") return undefined;
  const sameMatrix = latest.summary.matrix.join() === plan.matrix.join() && latest.taskIds.join() === plan.tasks.map((t) => t.id).join();
  return { runId: latest.summary.runId, status: latest.status, sameMatrix };
}
