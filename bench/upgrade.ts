// An upgrade in place (default Debian 12 -> 13 with msf's recipe), RUNS times (default 3), on this
// host: the median time of each stage (before, upgrade, reboot, after, redeploy) and of each upgrade
// step, and the upgrade stage split into package download (apt's "Fetched ... in ..."), the rest of
// apt's work (unpack, configure) and msf's own waiting around the steps. Needs the Debian archive;
// about half an hour per run under TCG.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createContext } from "@msf/supervisor";
import { vmDown, vmUpgrade } from "@msf/vm";
import { median, report } from "./stats.ts";

const FROM = process.env.FROM ?? "debian-12";
const TO = process.env.TO ?? "debian-13";
const RUNS = Number(process.env.RUNS ?? 3);
// The state directory of this shell ($MSF_HOME or .msf): its golden images are reused.
const ctx = createContext();

/** Seconds from apt's "Fetched 312 MB in 1min 5s (4,801 kB/s)" lines. */
function fetchedSeconds(log: string): number {
  let total = 0;
  for (const match of log.matchAll(/^Fetched .* in ((?:\d+h )?(?:\d+min )?(?:\d+s)?)/gm)) {
    const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}`).exec(match[1] ?? "")?.[1] ?? 0);
    total += part("h") * 3600 + part("min") * 60 + part("s");
  }
  return total;
}

type Sample = { stages: Record<string, number>; steps: Record<string, number>; downloadMs: number; verdict: string };
const runs: Sample[] = [];

/** The medians so far, kept in bench/results after every run: an hour and a half of runs is not lost to one failure. */
function reportSoFar(): void {
  const medianOf = (pick: (run: Sample) => number | undefined) => Math.round(median(runs.map(pick).filter((v): v is number => v !== undefined)));
  const stageNames = [...new Set(runs.flatMap((r) => Object.keys(r.stages)))];
  const stepNames = [...new Set(runs.flatMap((r) => Object.keys(r.steps)))];
  const upgradeMs = medianOf((r) => r.stages.upgrade);
  const stepsMs = medianOf((r) => Object.values(r.steps).reduce((a, b) => a + b, 0));
  const downloadMs = medianOf((r) => r.downloadMs);
  report("upgrade", {
    hop: `${FROM} -> ${TO}`,
    runs: runs.length,
    of: RUNS,
    verdicts: runs.map((r) => r.verdict),
    medianStagesMs: Object.fromEntries(stageNames.map((stage) => [stage, medianOf((r) => r.stages[stage])])),
    medianStepsMs: Object.fromEntries(stepNames.map((step) => [step, medianOf((r) => r.steps[step])])),
    upgradeStage: { totalMs: upgradeMs, downloadMs, aptWorkMs: stepsMs - downloadMs, msfWaitingMs: upgradeMs - stepsMs },
    goal: "the upgrade dominated by package download and unpack, not by msf's waiting",
    met: upgradeMs - stepsMs < 0.05 * upgradeMs,
    samples: runs,
  });
}

for (let i = 0; i < RUNS; i++) {
  const name = `bench-upgrade-${i}`;
  try {
    const result = await vmUpgrade(ctx, { from: FROM, to: [TO], name });
    const [hop] = result.hops;
    if (!hop) throw new Error("no hop ran");
    const steps = Object.fromEntries(hop.steps.map((s) => [s.name, s.ms]));
    const downloadMs = hop.steps.reduce((sum, s) => sum + fetchedSeconds(readFileSync(join(result.dir, s.log), "utf8")) * 1000, 0);
    runs.push({ stages: hop.stagesMs as Record<string, number>, steps, downloadMs, verdict: hop.verdict });
    console.error(`run ${i + 1}/${RUNS}: ${hop.verdict} ${JSON.stringify(hop.stagesMs)} steps ${JSON.stringify(steps)} download ${downloadMs} ms`);
  } finally {
    await vmDown(ctx, { name, graceMs: 0 }).catch(() => undefined);
  }
  reportSoFar();
}
