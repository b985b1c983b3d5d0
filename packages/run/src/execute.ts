import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { MsfError, readJsonIfExists, writeJsonAtomic } from "@msf/core";
import { acquireLock, killProcess, listProcesses, type MsfContext, withLogFile } from "@msf/supervisor";
import type { Phase, RunConfig } from "./config.ts";
import type { RunEvent } from "./events.ts";
import { executePlan } from "./executor.ts";
import { DURATION_RUNS, type RunRecord, readRuns } from "./history.ts";
import { chooseImages } from "./images-at-plan.ts";
import { Journal, type JournalEventInput, type RunStatus, readJournal, replayJournal } from "./journal.ts";
import { narrowPlan, planRun, type RunPlan } from "./plan.ts";
import { writeRunReport } from "./report.ts";
import { restoreFinished } from "./resume.ts";
import { inProcessRunner, type StepRunner } from "./runner.ts";

export interface RunOptions {
  config: RunConfig;
  /** Only these distributions. */
  distros?: string[];
  /** Stop after this phase (earlier ones are reused: cached images, running VMs, idempotent deploys). */
  phase?: Phase;
  /**
   * Continue the latest unfinished run, as it was started (its distributions and phase) unless
   * `distros` or `phase` name others. The same command again resumes too when it plans the same tasks.
   */
  resume?: boolean;
  /** Where steps run (default: in this process). */
  runner?: (run: { ctx: MsfContext; runDir: string; plan: RunPlan }) => StepRunner;
  /** What the hosts that run the steps offer (default: this host; a queue: its live workers together). */
  budget?: () => Promise<HostBudget>;
  onEvent?: (event: RunEvent) => void;
  /** Why it runs (a schedule, an archive change): recorded in the journal. */
  reason?: string;
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
    const host = await (options.budget ?? (() => hostBudget(hostCtx)))();
    // One read of the newest runs: their durations for the plan, the newest one for a resume.
    const history = await readRuns(hostCtx, DURATION_RUNS);
    const { plan, previous } = await choosePlan(history[0], options, () =>
      chooseImages(
        hostCtx,
        narrowPlan(planRun({ config: options.config, host, history: history.map((run) => run.status) }), options.distros, options.phase),
        options.config,
        emit,
      ),
    );
    const runId = previous?.summary.runId ?? `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${randomBytes(2).toString("hex")}`;
    const dir = join(hostCtx.paths.runs, runId);
    const journal = await Journal.open(join(dir, "journal.ndjson"));
    // One log per run (appended to on resume), and each process's output beside it.
    const ctx = withLogFile(hostCtx, { path: join(dir, "msf.log"), level: options.config.logLevel, logDir: join(dir, "logs") });
    // Every message of the run (journal, status, report, events) goes through the logger's redaction.
    for (const account of options.config.mail.accounts) if (account.password) ctx.logger.addSecret(account.password);
    ctx.logger.info("run started", { runId, resumed: Boolean(previous), matrix: plan.matrix });
    const runner = (options.runner ?? ((run) => inProcessRunner({ ...run, config: options.config })))({ ctx, runDir: dir, plan });
    const restored = previous ? await restoreFinished(plan, previous.status, runner) : undefined;
    if (previous) await endOrphans(ctx);
    await writeJsonAtomic(join(dir, "plan.json"), plan);

    // Parallel tasks journal one event at a time; status.json is the replay of every event so far.
    const events = await readJournal(journal.path);
    let chain: Promise<void> = Promise.resolve();
    const record = (event: JournalEventInput) => {
      chain = chain.then(async () => {
        events.push(await journal.append(ctx.logger.redact(event)));
        await writeJsonAtomic(join(dir, "status.json"), replayJournal(events));
      });
      return chain;
    };
    await record({
      type: "run-started",
      at: Date.now(),
      runId,
      matrix: plan.matrix,
      tasks: plan.tasks.map((t) => t.id),
      resumed: Boolean(previous),
      reason: options.reason,
    });
    // Announced once the journal has it: whoever follows the id (a page, msf status) finds the run started.
    emit({ type: "run-planned", runId, dir, resumed: Boolean(previous), tasks: plan.tasks.length, matrix: plan.matrix });
    await executePlan({
      plan,
      runner,
      record,
      report: () => writeRunReport({ ctx, plan, dir, runId, status: replayJournal(events), host }),
      ...restored,
      signal: ctx.signal,
      onEvent: (event) => {
        if (event.type === "task-finished") ctx.logger[event.status === "done" ? "info" : "warn"]("task finished", { ...event });
        if (event.type === "task-cleaned") ctx.logger[event.ok ? "info" : "warn"]("task cleaned up", { ...event });
        emit(event.type === "task-finished" ? { ...event, message: ctx.logger.redact(event.message) } : event);
      },
    });
    const final = replayJournal(events);
    const interrupted = Boolean(ctx.signal?.aborted);
    const failed = Object.values(final.tasks).some((t) => t.state !== "done");
    const status = interrupted ? "interrupted" : failed ? "failed" : "passed";
    await record({ type: "run-finished", at: Date.now(), status });
    ctx.logger.info("run finished", { runId, status });
    await journal.close();
    const reportDir = join(dir, "report");
    emit({ type: "run-finished", runId, status, reportDir });
    return { runId, dir, status, reportDir, tasks: replayJournal(events).tasks };
  } finally {
    await lock.release();
  }
}

/**
 * A new plan, or the unfinished run to continue and its plan: as it was started (plan.json) when
 * resumed without naming distributions or a phase, else the plan asked for now. The same command
 * again continues an unfinished run that planned the same tasks.
 */
async function choosePlan(latest: RunRecord | undefined, options: RunOptions, fresh: () => Promise<RunPlan>): Promise<{ plan: RunPlan; previous?: RunRecord }> {
  const unfinished = latest && !["passed", "failed"].includes(latest.status.status) ? latest : undefined;
  if (options.resume && !unfinished) throw new MsfError("ERR_MSF_NOT_FOUND", "there is no unfinished run to resume", { hint: "msf runs lists the runs" });
  const plan = await fresh();
  if (!unfinished) return { plan };
  if (options.resume && !options.distros?.length && !options.phase) {
    const started = (await readJsonIfExists(join(unfinished.summary.dir, "plan.json"))) as RunPlan | undefined;
    return { plan: started?.tasks ? started : plan, previous: unfinished };
  }
  const sameTasks = unfinished.taskIds.join() === plan.tasks.map((t) => t.id).join();
  return options.resume || sameTasks ? { plan, previous: unfinished } : { plan };
}

/** What the host offers a run: its memory (less 2 GiB for itself), its CPUs, the remembered accelerator verdict. */
export interface HostBudget {
  memoryMiB: number;
  cpus: number;
  accel: "kvm" | "tcg";
  /** Several hosts' together (a queue's workers): VMs on different hosts share no cores. */
  fleet?: boolean;
}

export async function hostBudget(ctx: MsfContext): Promise<HostBudget> {
  const accel = ((await readJsonIfExists(join(ctx.paths.cache, "accel.json"))) as { accel?: "kvm" | "tcg" } | undefined)?.accel ?? "tcg";
  return { memoryMiB: Math.floor(totalmem() / 1_048_576) - 2_048, cpus: cpus().length, accel };
}

/** Processes the killed run was watching (an image build, a deploy's ssh...): ended before anything reruns. */
async function endOrphans(ctx: MsfContext): Promise<void> {
  const { processes } = await listProcesses(ctx);
  for (const process of processes.filter((p) => p.state === "orphaned")) await killProcess(ctx, String(process.pid)).catch(() => undefined);
}
