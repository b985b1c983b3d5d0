import type { PlannedTask, RunPlan } from "./plan.ts";

export type TaskState = "pending" | "running" | "done" | "failed" | "skipped";

/** Pure: each task's expected time from its start to the end of the run's longest chain through it. */
export function remainingPaths(plan: RunPlan): Map<string, number> {
  const dependents = new Map<string, PlannedTask[]>();
  for (const task of plan.tasks) for (const dep of task.deps) dependents.set(dep, [...(dependents.get(dep) ?? []), task]);
  const memo = new Map<string, number>();
  const walk = (task: PlannedTask): number => {
    const known = memo.get(task.id);
    if (known !== undefined) return known;
    const rest = Math.max(0, ...(dependents.get(task.id) ?? []).map(walk));
    memo.set(task.id, task.expectedMs + rest);
    return task.expectedMs + rest;
  };
  for (const task of plan.tasks) walk(task);
  return memo;
}

const ENDED: TaskState[] = ["done", "failed", "skipped"];

/**
 * Memory and CPUs in use: running tasks, plus the VM of every distribution booted and not yet
 * collected (it holds its memory and cores from boot to collect, so its next task always fits).
 */
function inUse(plan: RunPlan, states: Map<string, TaskState>): { memoryMiB: number; cpus: number } {
  const state = (task: PlannedTask) => states.get(task.id) ?? "pending";
  let memoryMiB = 0;
  let cpus = 0;
  for (const task of plan.tasks.filter((t) => !t.holdsVm && state(t) === "running")) {
    cpus += task.resources.cpus;
    memoryMiB += task.resources.memoryMiB;
  }
  const vmTasks = new Map<string | undefined, PlannedTask[]>();
  for (const task of plan.tasks.filter((t) => t.holdsVm)) vmTasks.set(task.distro, [...(vmTasks.get(task.distro) ?? []), task]);
  for (const tasks of vmTasks.values()) {
    const up = tasks.some((t) => state(t) !== "pending") && !tasks.every((t) => ENDED.includes(state(t)));
    if (up) {
      memoryMiB += tasks[0]?.resources.memoryMiB ?? 0;
      cpus += tasks[0]?.resources.cpus ?? 0;
    }
  }
  return { memoryMiB, cpus };
}

/**
 * Pure: the tasks to start now. Ready tasks (dependencies done; the report once every dependency
 * has ended) go longest remaining chain first, each started if it fits the budget on top of what
 * runs. A task bigger than the whole budget still starts when nothing else runs, so nothing starves.
 */
export function tasksToStart(plan: RunPlan, states: Map<string, TaskState>, paths = remainingPaths(plan)): PlannedTask[] {
  const ended = (id: string) => ENDED.includes(states.get(id) ?? "pending");
  const ready = plan.tasks
    .filter((task) => (states.get(task.id) ?? "pending") === "pending")
    .filter((task) => (task.phase === "report" ? task.deps.every(ended) : task.deps.every((dep) => states.get(dep) === "done")))
    .sort((a, b) => (paths.get(b.id) ?? 0) - (paths.get(a.id) ?? 0));
  const trial = new Map(states);
  const start: PlannedTask[] = [];
  for (const task of ready) {
    const before = inUse(plan, trial);
    trial.set(task.id, "running");
    const after = inUse(plan, trial);
    const nothingRuns = before.memoryMiB === 0 && before.cpus === 0;
    if (nothingRuns || (after.memoryMiB <= plan.budget.memoryMiB && after.cpus <= plan.budget.cpus)) start.push(task);
    else trial.set(task.id, "pending");
  }
  return start;
}

/** Pure: a failed task's distribution skips its later tasks (the report still runs). */
export function skipAfterFailure(plan: RunPlan, states: Map<string, TaskState>, failed: PlannedTask): string[] {
  const skipped = plan.tasks.filter((task) => task.distro === failed.distro && task.id !== failed.id && (states.get(task.id) ?? "pending") === "pending");
  return skipped.map((task) => task.id);
}

/** Pure: the run's makespan if every task takes its expected time (for --dry-run and the scheduler benchmark). */
export function simulate(plan: RunPlan): { makespanMs: number; starts: Record<string, number> } {
  const states = new Map<string, TaskState>();
  const ends: Array<{ id: string; at: number }> = [];
  const starts: Record<string, number> = {};
  const paths = remainingPaths(plan);
  let now = 0;
  for (;;) {
    for (const task of tasksToStart(plan, states, paths)) {
      states.set(task.id, "running");
      starts[task.id] = now;
      ends.push({ id: task.id, at: now + task.expectedMs });
    }
    ends.sort((a, b) => a.at - b.at);
    const next = ends.shift();
    if (!next) break;
    now = next.at;
    states.set(next.id, "done");
  }
  return { makespanMs: now, starts };
}

/** Pure: no schedule can beat this: the longest chain, or the total CPU or memory work spread over the budget. */
export function makespanLowerBound(plan: RunPlan): number {
  const chain = Math.max(...remainingPaths(plan).values());
  const work = (of: (task: PlannedTask) => number) => plan.tasks.reduce((sum, task) => sum + of(task) * task.expectedMs, 0);
  return Math.max(chain, work((task) => task.resources.cpus) / plan.budget.cpus, work((task) => task.resources.memoryMiB) / plan.budget.memoryMiB);
}
