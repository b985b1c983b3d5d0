// Scheduling quality on the queue: the original matrix (12 distributions and Debian 13, durations
// from the seeds' table as the scheduler bench uses them) on 4 heterogeneous workers, handed out
// as the coordinator does (longest first, each to the worker that would finish it first). Goal:
// makespan within 10% of the lower bound. The simple bound (longest distribution on the fastest
// worker, or all work over the total capacity) is loose when distributions are few and long, so
// the true optimum is found by exhaustive search (branch and bound) and is the bound used.
import { chainDurations, queueLowerBound, type SimulatedWorker, simulateQueue } from "@msf/queue";
import { parseRunConfig, planRun } from "@msf/run";
import { report } from "./stats.ts";

const MIN = 60_000;
const INSTALL_MINUTES: Array<[string, number]> = [
  ["ubuntu", 12.5],
  ["debian", 17.5],
  ["fedora", 30],
  ["rhel", 35],
  ["almalinux", 30],
  ["rocky", 30],
  ["opensuse", 37.5],
];
const plan = planRun({ config: parseRunConfig({ matrix: "seed" }), host: { memoryMiB: 65_536, cpus: 16, accel: "kvm" } });
for (const task of plan.tasks) {
  const minutes = INSTALL_MINUTES.find(([prefix]) => task.distro?.startsWith(prefix))?.[1];
  if (task.phase === "install" && minutes) task.expectedMs = minutes * MIN;
}

/** The best makespan of any assignment of whole distributions to slots (exhaustive, pruned). */
function optimalMakespan(chains: number[], workers: SimulatedWorker[], upper: number): number {
  const slots = workers.flatMap((w) => Array.from({ length: w.slots }, () => ({ speed: w.speed, worker: w.id, load: 0 })));
  const items = [...chains].sort((a, b) => b - a);
  let best = upper;
  const place = (index: number, span: number) => {
    if (span >= best) return;
    if (index === items.length) {
      best = span;
      return;
    }
    const item = items[index] as number;
    const tried = new Set<string>();
    for (const slot of slots) {
      // Two empty slots of the same speed are the same choice.
      const key = slot.load === 0 ? `empty@${slot.speed}` : "";
      if (key && tried.has(key)) continue;
      if (key) tried.add(key);
      slot.load += item / slot.speed;
      place(index + 1, Math.max(span, slot.load));
      slot.load -= item / slot.speed;
    }
  };
  place(0, 0);
  return best;
}

// Emulation (no KVM) runs a guest about three times slower; slots: one per two cores.
const fleets: Record<string, SimulatedWorker[]> = {
  "2 kvm + 2 tcg": [
    { id: "kvm-8c", speed: 1, slots: 4 },
    { id: "kvm-4c", speed: 1, slots: 2 },
    { id: "tcg-2c-a", speed: 1 / 3, slots: 1 },
    { id: "tcg-2c-b", speed: 1 / 3, slots: 1 },
  ],
  "1 kvm + 3 tcg": [
    { id: "kvm-8c", speed: 1, slots: 4 },
    { id: "tcg-8c", speed: 1 / 3, slots: 4 },
    { id: "tcg-4c", speed: 1 / 3, slots: 2 },
    { id: "tcg-2c", speed: 1 / 3, slots: 1 },
  ],
  "4 kvm, mixed sizes": [
    { id: "kvm-16c", speed: 1, slots: 8 },
    { id: "kvm-8c", speed: 1, slots: 4 },
    { id: "kvm-4c", speed: 1, slots: 2 },
    { id: "kvm-2c", speed: 1, slots: 1 },
  ],
  "4 tcg (no KVM anywhere)": [
    { id: "tcg-4c-a", speed: 1 / 3, slots: 2 },
    { id: "tcg-4c-b", speed: 1 / 3, slots: 2 },
    { id: "tcg-2c-a", speed: 1 / 3, slots: 1 },
    { id: "tcg-2c-b", speed: 1 / 3, slots: 1 },
  ],
};
const results = Object.entries(fleets).map(([fleet, workers]) => {
  const started = performance.now();
  const { makespanMs } = simulateQueue(plan, workers);
  const optimum = optimalMakespan([...chainDurations(plan).values()], workers, makespanMs + 1);
  return {
    fleet,
    distributions: plan.matrix.length,
    makespanMin: Number((makespanMs / MIN).toFixed(1)),
    optimumMin: Number((optimum / MIN).toFixed(1)),
    simpleBoundMin: Number((queueLowerBound(plan, workers) / MIN).toFixed(1)),
    ratio: Number((makespanMs / optimum).toFixed(3)),
    searchMs: Math.round(performance.now() - started),
  };
});
report("queue-schedule", { results, goal: "makespan <= 1.10x the lower bound (the optimum)", met: results.every((r) => r.ratio <= 1.1) });
