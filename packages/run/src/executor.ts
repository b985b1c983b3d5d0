import { setTimeout as sleep } from "node:timers/promises";
import { AbortedError, type ErrorCode, isMsfError, TimeoutError } from "@msf/core";
import { INFRASTRUCTURE_PHASES } from "@msf/report";
import type { ExecutorEvent, FinishedStatus } from "./events.ts";
import type { JournalEventInput } from "./journal.ts";
import type { PlannedTask, RunPlan } from "./plan.ts";
import type { StepRunner } from "./runner.ts";
import { remainingPaths, skipAfterFailure, type TaskState, tasksToStart } from "./scheduler.ts";

/** A step that ran past its phase timeout (its work was told to stop). */
export class PhaseTimeoutError extends TimeoutError {}

type Data = Record<string, unknown>;

export interface ExecuteOptions {
  plan: RunPlan;
  runner: StepRunner;
  /** Appends to the journal (in order). */
  record: (event: JournalEventInput) => Promise<void>;
  /** The run-level report task (on the coordinator: it reads the journal). */
  report: () => Promise<Data>;
  /** Restored from the journal on resume: finished tasks and their outputs. */
  states?: Map<string, TaskState>;
  outputs?: Map<string, Data>;
  /** Tasks a crash left started but not finished: cleaned up before they run again. */
  interrupted?: string[];
  /** Ctrl-C: nothing new starts, running steps are told to stop, every started distribution is cleaned up. */
  signal?: AbortSignal;
  onEvent?: (event: ExecutorEvent) => void;
  /** Deadline of one cleanup (default 5 min). */
  cleanupTimeoutMs?: number;
  /** How often a distribution runs again after an infrastructure failure (default once). */
  infrastructureRetries?: number;
}

/** Failures a second try would meet again (a question the installer asks, a bad signature, a full disk): not retried. */
const WOULD_FAIL_AGAIN = new Set<ErrorCode>([
  "ERR_MSF_INSTALL_QUESTION",
  "ERR_MSF_USER_MEDIA",
  "ERR_MSF_SIGNATURE",
  "ERR_MSF_CHECKSUM_MISMATCH",
  "ERR_MSF_ARCHIVE_STALE",
  "ERR_MSF_DISK_FULL",
  "ERR_MSF_HOST_TOOL_MISSING",
  "ERR_MSF_CONFIG",
  "ERR_MSF_USAGE",
  "ERR_MSF_NO_WORKER",
]);

/**
 * The run's loop: starts the tasks that are ready within the budget, journals each start and end.
 * A failure skips the rest of its distribution and runs the cleanups of what it started, newest
 * first; so does a timeout, and Ctrl-C for every distribution under way. An infrastructure failure
 * (a timeout, or a failure before the stack is deployed) is cleaned up and the distribution runs
 * once more from its first task before it counts. Resolves with the states.
 */
export async function executePlan(options: ExecuteOptions): Promise<Map<string, TaskState>> {
  const { plan, runner, record, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const states = options.states ?? new Map<string, TaskState>();
  const outputs = options.outputs ?? new Map<string, Data>();
  const cleaned = new Set<string>();
  const retries = new Map<string | undefined, number>();
  const distroTasks = (distro: string | undefined) => plan.tasks.filter((t) => t.distro === distro);
  const inputOf = (task: PlannedTask): Data => {
    const earlier = distroTasks(task.distro);
    return Object.assign({}, task.given, ...earlier.slice(0, earlier.indexOf(task)).map((t) => outputs.get(t.id) ?? {}));
  };

  const cleanup = async (task: PlannedTask) => {
    if (cleaned.has(task.id) || task.phase === "report") return;
    cleaned.add(task.id);
    const deadline = AbortSignal.timeout(options.cleanupTimeoutMs ?? 300_000);
    try {
      await runner.cleanup(task, inputOf(task), { signal: deadline, onLine: (line) => emit({ type: "task-output", task: task.id, line }) });
      emit({ type: "task-cleaned", task: task.id, ok: true });
    } catch (error) {
      emit({ type: "task-cleaned", task: task.id, ok: false, message: (error as Error).message });
    }
  };
  /** Every task of the distribution that ran, newest first. */
  const cleanDistribution = async (distro: string | undefined) => {
    const ran = distroTasks(distro).filter((t) => ["done", "failed"].includes(states.get(t.id) ?? "pending"));
    for (const task of ran.reverse()) await cleanup(task);
  };

  // A crash left these half done: clean them, then they run again.
  for (const id of options.interrupted ?? []) {
    const task = plan.tasks.find((t) => t.id === id);
    if (task) await cleanup(task);
    cleaned.delete(id);
    states.delete(id);
  }

  const paths = remainingPaths(plan);
  const running = new Map<string, Promise<void>>();
  const start = (task: PlannedTask) => {
    states.set(task.id, "running");
    emit({ type: "task-started", task: task.id, timeoutMs: task.timeoutMs });
    const work = (async () => {
      await record({ type: "task-started", at: Date.now(), task: task.id });
      const started = Date.now();
      const finish = async (status: FinishedStatus, message?: string, out: Data = {}) => {
        await record({ type: "task-finished", at: Date.now(), task: task.id, status, durationMs: Date.now() - started, message, outputs: out });
        emit({ type: "task-finished", task: task.id, status, durationMs: Date.now() - started, message });
      };
      try {
        const out =
          task.phase === "report"
            ? await options.report()
            : await withDeadline(task, signal, (stepSignal) =>
                runner.run(task, inputOf(task), { signal: stepSignal, onLine: (line) => emit({ type: "task-output", task: task.id, line }) }),
              );
        outputs.set(task.id, out);
        states.set(task.id, "done");
        await finish("done", undefined, out);
      } catch (error) {
        const interrupted = Boolean(signal?.aborted);
        const timedOut = error instanceof PhaseTimeoutError;
        states.set(task.id, "failed");
        // A download, an installer, a boot or a timeout: the distribution runs once more before it counts.
        const infrastructure = timedOut || (INFRASTRUCTURE_PHASES.has(task.phase) && !(isMsfError(error) && WOULD_FAIL_AGAIN.has(error.code)));
        const retry = !interrupted && infrastructure && (retries.get(task.distro) ?? 0) < (options.infrastructureRetries ?? 1);
        const message = `${(error as Error).message}${retry ? " (an infrastructure failure: the distribution runs once more)" : ""}`;
        await finish(interrupted ? "interrupted" : timedOut ? "timed-out" : "failed", message);
        if (interrupted) return; // the cleanups of every distribution follow once nothing runs
        if (retry) {
          retries.set(task.distro, (retries.get(task.distro) ?? 0) + 1);
          await cleanDistribution(task.distro);
          for (const t of distroTasks(task.distro)) {
            states.delete(t.id);
            outputs.delete(t.id);
            cleaned.delete(t.id);
          }
          return;
        }
        for (const id of skipAfterFailure(plan, states, task)) {
          states.set(id, "skipped");
          await record({ type: "task-finished", at: Date.now(), task: id, status: "skipped", durationMs: 0, message: `${task.id} did not succeed` });
          emit({ type: "task-finished", task: id, status: "skipped", durationMs: 0, message: `${task.id} did not succeed` });
        }
        await cleanDistribution(task.distro);
      }
    })();
    running.set(
      task.id,
      work.finally(() => running.delete(task.id)),
    );
  };

  for (;;) {
    if (!signal?.aborted) for (const task of tasksToStart(plan, states, paths)) start(task);
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (signal?.aborted) {
    for (const distro of plan.matrix) if (states.get(distroTasks(distro).at(-1)?.id ?? "") !== "done") await cleanDistribution(distro);
  }
  return states;
}

/**
 * Runs a step with its phase timeout; the abort reaches every process it started. On a timeout the
 * step gets a moment (30 s at most) to stop before the cleanups run, so they never race its work.
 */
async function withDeadline<T>(task: PlannedTask, parent: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (parent?.aborted) throw new AbortedError(task.id);
  const timeout = new AbortController();
  const signal = parent ? AbortSignal.any([parent, timeout.signal]) : timeout.signal;
  const running = work(signal);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), task.timeoutMs);
  });
  try {
    const outcome = await Promise.race([running.then((value) => ({ value })), expired]);
    if (outcome !== "expired") return outcome.value;
    const error = new PhaseTimeoutError(task.id, task.timeoutMs);
    timeout.abort(error);
    await Promise.race([running.catch(() => undefined), sleep(30_000, undefined, { ref: false })]);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
