// What one upgrade hop measured, and the medians over several: pure, so saved hops can be summed again.
import type { HopResult } from "@msf/vm";
import { median } from "./stats.ts";

export interface Sample {
  stages: Record<string, number>;
  /** Per step, every attempt summed (a step run again after the repair counts both). */
  steps: Record<string, number>;
  /** The steps that ran inside the upgrade stage: up to and including the first that failed (the rest ran in the repair). */
  upgradeStepsMs: number;
  /** apt's own "Fetched ... in ..." over the upgrade stage's logs, each log read once. */
  downloadMs: number;
  verdict: string;
}

/** Seconds from apt's "Fetched 312 MB in 1min 5s (4,801 kB/s)" lines. */
export function fetchedSeconds(log: string): number {
  let total = 0;
  for (const match of log.matchAll(/^Fetched .* in ((?:\d+h )?(?:\d+min )?(?:\d+s)?)/gm)) {
    const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}`).exec(match[1] ?? "")?.[1] ?? 0);
    total += part("h") * 3600 + part("min") * 60 + part("s");
  }
  return total;
}

export function sampleOf(hop: Pick<HopResult, "stagesMs" | "steps" | "verdict">, readLog: (name: string) => string): Sample {
  const steps: Record<string, number> = {};
  for (const step of hop.steps) steps[step.name] = (steps[step.name] ?? 0) + step.ms;
  const failed = hop.steps.findIndex((step) => step.exitCode !== 0);
  const inUpgrade = failed < 0 ? hop.steps : hop.steps.slice(0, failed + 1);
  const logs = [...new Set(inUpgrade.map((step) => step.log))];
  return {
    stages: hop.stagesMs as Record<string, number>,
    steps,
    upgradeStepsMs: inUpgrade.reduce((sum, step) => sum + step.ms, 0),
    downloadMs: logs.reduce((sum, log) => sum + fetchedSeconds(readLog(log)) * 1000, 0),
    verdict: hop.verdict,
  };
}

/** Medians per stage and per step, and the upgrade stage split into download, apt's other work and msf's waiting. */
export function upgradeSummary(samples: readonly Sample[]) {
  const medianOf = (pick: (sample: Sample) => number | undefined) => Math.round(median(samples.map(pick).filter((v): v is number => v !== undefined)));
  const names = (pick: (sample: Sample) => object) => [...new Set(samples.flatMap((s) => Object.keys(pick(s))))];
  const upgradeMs = medianOf((s) => s.stages.upgrade);
  const stepsMs = medianOf((s) => s.upgradeStepsMs);
  const downloadMs = medianOf((s) => s.downloadMs);
  return {
    runs: samples.length,
    verdicts: samples.map((s) => s.verdict),
    medianStagesMs: Object.fromEntries(names((s) => s.stages).map((stage) => [stage, medianOf((s) => s.stages[stage])])),
    medianStepsMs: Object.fromEntries(names((s) => s.steps).map((step) => [step, medianOf((s) => s.steps[step])])),
    upgradeStage: { totalMs: upgradeMs, downloadMs, aptWorkMs: stepsMs - downloadMs, msfWaitingMs: upgradeMs - stepsMs },
    goal: "the upgrade dominated by package download and unpack, not by msf's waiting",
    met: upgradeMs - stepsMs < 0.05 * upgradeMs,
    samples,
  };
}
