// Scheduler quality: the original 13-distribution matrix with the seeds' resource table (memory,
// CPUs, install time per distribution) on their reference host (16 GiB, 4 cores), simulated with
// every task taking its expected time. Goal: makespan within 10% of the lower bound (longest
// chain, or total CPU or memory work over the budget). Also a 2-core host like this one.
import { makespanLowerBound, parseRunConfig, planRun, type RunPlan, simulate } from "@msf/run";
import { report } from "./stats.ts";

const MIN = 60_000;
/** distribution id prefix -> [memory MiB, CPUs, install minutes (midpoint of the seeds' range)] */
const TABLE: Array<[string, number, number, number]> = [
  ["ubuntu", 4096, 2, 12.5],
  ["debian", 4096, 2, 17.5],
  ["fedora", 8192, 4, 30],
  ["rhel", 8192, 4, 35],
  ["almalinux", 8192, 4, 30],
  ["rocky", 8192, 4, 30],
  ["opensuse", 8192, 4, 37.5],
];

function seedPlan(budget: { memoryMiB: number; cpus: number }): RunPlan {
  const plan = planRun({ config: parseRunConfig({ matrix: "seed", resources: budget }), host: { ...budget, accel: "kvm" } });
  for (const task of plan.tasks) {
    const row = TABLE.find(([prefix]) => task.distro?.startsWith(prefix));
    if (!row) continue;
    const [, memoryMiB, cpus, installMinutes] = row;
    if (task.holdsVm || task.phase === "install") task.resources = { memoryMiB: Math.min(memoryMiB, budget.memoryMiB), cpus: Math.min(cpus, budget.cpus) };
    if (task.phase === "install") task.expectedMs = installMinutes * MIN;
  }
  return plan;
}

const results = [
  { host: "16 GiB, 4 cores (the seeds' reference)", budget: { memoryMiB: 16_384, cpus: 4 } },
  { host: "24 GiB, 2 cores (this machine)", budget: { memoryMiB: 24_576, cpus: 2 } },
].map(({ host, budget }) => {
  const plan = seedPlan(budget);
  const makespan = simulate(plan).makespanMs;
  const bound = makespanLowerBound(plan);
  return {
    host,
    tasks: plan.tasks.length,
    makespanMin: Number((makespan / MIN).toFixed(1)),
    lowerBoundMin: Number((bound / MIN).toFixed(1)),
    ratio: Number((makespan / bound).toFixed(3)),
  };
});
report("scheduler", { results, goal: "makespan <= 1.10x the lower bound", met: results.every((r) => r.ratio <= 1.1) });
