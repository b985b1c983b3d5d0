import type { RunPlan } from "@msf/run";

/** A worker as the assignment sees it: how fast it runs a step (1 = as the plan expects) and how many distributions at once. */
export interface SimulatedWorker {
  id: string;
  speed: number;
  slots: number;
}

/** Pure: each distribution's expected time, all its steps one after another (the report left out). */
export function chainDurations(plan: RunPlan): Map<string, number> {
  return new Map(plan.matrix.map((distro) => [distro, plan.tasks.filter((t) => t.distro === distro).reduce((sum, t) => sum + t.expectedMs, 0)]));
}

/** How long a worker takes for these distributions: longest first, each to its slot that frees first (as its queue runs them). */
function workerSpan(chains: number[], worker: SimulatedWorker): number {
  const slots = Array.from({ length: worker.slots }, () => 0);
  for (const ms of [...chains].sort((a, b) => b - a)) {
    const slot = slots.indexOf(Math.min(...slots));
    slots[slot] = (slots[slot] as number) + ms / worker.speed;
  }
  return Math.max(0, ...slots);
}

/** Makespan first, then the spread of the workers' spans: a move that shortens a worker but not yet the run still counts. */
function score(assignment: Map<string, string>, chains: Map<string, number>, workers: SimulatedWorker[]): [number, number] {
  const spans = workers.map((w) =>
    workerSpan(
      [...assignment].flatMap(([d, id]) => (id === w.id ? [chains.get(d) as number] : [])),
      w,
    ),
  );
  return [Math.max(...spans), spans.reduce((sum, s) => sum + s * s, 0)];
}
const better = (a: [number, number], b: [number, number]) => a[0] < b[0] - 1e-6 || (Math.abs(a[0] - b[0]) <= 1e-6 && a[1] < b[1] - 1e-6);

/**
 * Pure: which worker runs each distribution of a run. Longest first, each to the worker that
 * would finish it first among those it fits (a slow emulating host does not take a long
 * distribution a fast one would finish sooner); then single moves and swaps between workers while
 * they shorten the run.
 */
export function assignDistributions(
  chains: Map<string, number>,
  workers: SimulatedWorker[],
  fits: (distro: string, worker: string) => boolean = () => true,
): Map<string, string> {
  const assignment = new Map<string, string>();
  if (!workers.length) return assignment;
  const freeAt = new Map(workers.map((w) => [w.id, Array.from({ length: w.slots }, () => 0)]));
  for (const [distro, ms] of [...chains].sort((a, b) => b[1] - a[1])) {
    let best: { worker: SimulatedWorker; slot: number; finish: number } | undefined;
    for (const worker of workers.filter((w) => fits(distro, w.id))) {
      (freeAt.get(worker.id) as number[]).forEach((at, slot) => {
        const finish = at + ms / worker.speed;
        if (!best || finish < best.finish) best = { worker, slot, finish };
      });
    }
    const chosen = best as { worker: SimulatedWorker; slot: number; finish: number } | undefined;
    if (!chosen) continue; // no worker fits it: its first step waits on the shared queue
    (freeAt.get(chosen.worker.id) as number[])[chosen.slot] = chosen.finish;
    assignment.set(distro, chosen.worker.id);
  }
  let current = score(assignment, chains, workers);
  const tryChange = (change: () => void, undo: () => void) => {
    change();
    const next = score(assignment, chains, workers);
    if (better(next, current)) {
      current = next;
      return true;
    }
    undo();
    return false;
  };
  for (let pass = 0, improved = true; improved && pass < 100; pass++) {
    improved = false;
    const distros = [...assignment.keys()];
    for (const distro of distros) {
      const from = assignment.get(distro) as string;
      for (const worker of workers) {
        if (worker.id === from || assignment.get(distro) !== from || !fits(distro, worker.id)) continue;
        improved =
          tryChange(
            () => assignment.set(distro, worker.id),
            () => assignment.set(distro, from),
          ) || improved;
      }
    }
    for (const [i, a] of distros.entries()) {
      for (const b of distros.slice(i + 1)) {
        const [wa, wb] = [assignment.get(a) as string, assignment.get(b) as string];
        if (wa === wb || !fits(a, wb) || !fits(b, wa)) continue;
        const swap = (x: string, y: string) => () => {
          assignment.set(a, x);
          assignment.set(b, y);
        };
        improved = tryChange(swap(wb, wa), swap(wa, wb)) || improved;
      }
    }
  }
  return assignment;
}

/** Pure: the makespan of a plan on these workers, distributions assigned as the coordinator does. */
export function simulateQueue(plan: RunPlan, workers: SimulatedWorker[]): { makespanMs: number; assignment: Record<string, string> } {
  const chains = chainDurations(plan);
  const assignment = assignDistributions(chains, workers);
  return { makespanMs: score(assignment, chains, workers)[0], assignment: Object.fromEntries(assignment) };
}

/** Pure: no assignment of whole distributions can beat this: the longest on the fastest worker, or all the work over the total capacity. */
export function queueLowerBound(plan: RunPlan, workers: SimulatedWorker[]): number {
  const chains = [...chainDurations(plan).values()];
  const fastest = Math.max(...workers.map((w) => w.speed));
  const capacity = workers.reduce((sum, w) => sum + w.speed * w.slots, 0);
  return Math.max(Math.max(...chains) / fastest, chains.reduce((a, b) => a + b, 0) / capacity);
}
