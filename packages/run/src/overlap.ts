import { median } from "./history.ts";
import type { RunStatus } from "./journal.ts";

/** Phases that keep a distribution's VM busy (collect only ends it). */
const VM_PHASES = new Set(["boot", "deploy", "test"]);
/** Another distribution's task of these phases takes cores too (an image build, a VM). */
const BUSY_PHASES = new Set(["install", "boot", "deploy", "test", "upgrade"]);
/** Two VMs at a time must finish at least this much sooner than one after the other. */
const REQUIRED_GAIN = 0.9;

interface Span {
  task: string;
  distro: string;
  phase: string;
  from: number;
  to: number;
}

function spans(run: RunStatus): Span[] {
  return Object.entries(run.tasks).flatMap(([task, state]) => {
    const [distro, phase] = task.split(":");
    if (!distro || !phase || state.state !== "done" || state.startedAt === undefined || state.durationMs === undefined) return [];
    return [{ task, distro, phase, from: state.startedAt, to: state.startedAt + state.durationMs }];
  });
}

/**
 * Pure: each VM phase a run finished, with its time and whether it shared the cores: another
 * distribution's image build or VM phase ran during at least half of it.
 */
export function vmPhaseSamples(run: RunStatus): Array<{ task: string; ms: number; shared: boolean }> {
  const all = spans(run);
  return all
    .filter((span) => VM_PHASES.has(span.phase))
    .map((span) => {
      const others = all.filter((other) => other.distro !== span.distro && BUSY_PHASES.has(other.phase));
      // Overlaps of the others with this span, merged so two of them at once count once.
      const cuts = others.map((o) => [Math.max(o.from, span.from), Math.min(o.to, span.to)] as const).filter(([a, b]) => b > a);
      cuts.sort((a, b) => a[0] - b[0]);
      let covered = 0;
      let reach = span.from;
      for (const [a, b] of cuts) {
        covered += Math.max(0, b - Math.max(a, reach));
        reach = Math.max(reach, b);
      }
      const ms = span.to - span.from;
      return { task: span.task, ms, shared: ms > 0 && covered >= ms / 2 };
    });
}

export interface CpuBudget {
  cpus: number;
  /** Why, from the history: shown by --dry-run and kept in the plan. */
  reason: string;
}

/**
 * Pure: the CPU budget for a run when none is configured, from the newest runs of this host.
 * Twice the cores (two VMs at a time) when the VM phases that shared the cores took less than 1.8
 * times as long as alone (medians per task, over the tasks measured both ways): two at a time then
 * finish at least a tenth sooner than one after the other. Otherwise, and while either kind of
 * sample is missing, the cores: one VM at a time.
 */
export function cpuBudgetFromHistory(runs: readonly RunStatus[], cores: number): CpuBudget {
  const byTask = new Map<string, { alone: number[]; shared: number[] }>();
  // A queued run's VMs ran on several hosts: their overlap says nothing about sharing cores.
  const local = runs.filter((run) => !Object.values(run.tasks).some((task) => task.outputs?.worker !== undefined));
  for (const sample of local.flatMap(vmPhaseSamples)) {
    const entry = byTask.get(sample.task) ?? { alone: [], shared: [] };
    entry[sample.shared ? "shared" : "alone"].push(sample.ms);
    byTask.set(sample.task, entry);
  }
  const both = [...byTask.values()].filter((entry) => entry.alone.length && entry.shared.length);
  if (!both.length)
    return { cpus: cores, reason: "one VM at a time: no run here has measured VMs sharing the cores; resources.cpus above the cores measures it" };
  const alone = both.reduce((sum, entry) => sum + median(entry.alone), 0);
  const shared = both.reduce((sum, entry) => sum + median(entry.shared), 0);
  const slowdown = Math.round((shared / alone) * 100) / 100;
  return shared < 2 * REQUIRED_GAIN * alone
    ? { cpus: 2 * cores, reason: `two VMs at a time: sharing the cores slowed each VM ${slowdown}x in earlier runs, less than running them one after another` }
    : { cpus: cores, reason: `one VM at a time: sharing the cores slowed each VM ${slowdown}x in earlier runs, no sooner than one after another` };
}
