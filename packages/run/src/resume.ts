import { interruptedTasks, type RunStatus } from "./journal.ts";
import type { RunPlan } from "./plan.ts";
import type { StepRunner } from "./runner.ts";
import type { TaskState } from "./scheduler.ts";

export interface Restored {
  states: Map<string, TaskState>;
  outputs: Map<string, Record<string, unknown>>;
  /** Started but never finished (the process died): cleaned up, then run again. */
  interrupted: string[];
}

/**
 * On resume: the tasks the journal shows done are kept while what they made still holds (a golden
 * image, a running VM; each step says); the first that no longer holds goes back to pending with
 * every later task of its distribution. A distribution that finished entirely is kept as it is.
 */
export async function restoreFinished(plan: RunPlan, status: RunStatus, runner: StepRunner): Promise<Restored> {
  const states = new Map<string, TaskState>();
  const outputs = new Map<string, Record<string, unknown>>();
  for (const task of plan.tasks) {
    const previous = status.tasks[task.id];
    if (previous?.state !== "done" || task.phase === "report") continue;
    states.set(task.id, "done");
    outputs.set(task.id, previous.outputs ?? {});
  }
  for (const distro of plan.matrix) {
    const tasks = plan.tasks.filter((t) => t.distro === distro);
    if (tasks.every((t) => states.get(t.id) === "done")) continue;
    const broken = await firstNotHolding(tasks, states, outputs, runner);
    for (const task of broken >= 0 ? tasks.slice(broken) : []) {
      states.delete(task.id);
      outputs.delete(task.id);
    }
  }
  const interrupted = interruptedTasks(status).filter((id) => plan.tasks.some((t) => t.id === id) && !states.has(id));
  return { states, outputs, interrupted };
}

async function firstNotHolding(
  tasks: RunPlan["tasks"],
  states: Map<string, TaskState>,
  outputs: Map<string, Record<string, unknown>>,
  runner: StepRunner,
): Promise<number> {
  for (const [index, task] of tasks.entries()) {
    if (states.get(task.id) !== "done") return -1;
    if (!(await runner.holds(task, outputs.get(task.id) ?? {}))) return index;
  }
  return -1;
}
