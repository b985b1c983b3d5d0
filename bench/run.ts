// `msf run` on the default matrix (Debian 11, 12, 13) under this host's accelerator: cold (an empty
// image cache, so every golden image is built from the archive), then warm (images cached), then
// warm with one distribution. Time per phase from the run's journal. Goals: warm one-distribution
// run under 90 s; cold default matrix under 12 minutes. PARTS=cold,warm,one picks the runs (all by
// default); without `cold` the runs use the existing image cache (MSF_CACHE).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostBudget, parseRunConfig, type RunResult, runMatrix } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { report } from "./stats.ts";

const parts = (process.env.PARTS ?? "cold,warm,one").split(",");
const cold = parts.includes("cold");
const state = mkdtempSync(join(tmpdir(), "msf-bench-run-"));
const cache = cold ? join(state, "cache") : (process.env.MSF_CACHE ?? join(process.env.HOME ?? "/root", ".cache/msf"));
const ctx = createContext({ env: { ...process.env, MSF_HOME: state, MSF_CACHE: cache } });
const config = parseRunConfig({});

/** Wall time and each task's duration, grouped by phase then distribution. */
async function timedRun(label: string, distros?: string[]) {
  const started = Date.now();
  const result: RunResult = await runMatrix(ctx, { config, distros });
  const wallMs = Date.now() - started;
  const phases: Record<string, Record<string, number>> = {};
  for (const [id, task] of Object.entries(result.tasks)) {
    const [distro = id, phase = id] = id.split(":");
    phases[phase] = { ...phases[phase], [distro]: task.durationMs ?? 0 };
  }
  console.error(`${label}: ${result.status} in ${Math.round(wallMs / 1000)} s`);
  if (result.status !== "passed") throw new Error(`${label} run ${result.runId} ${result.status}: see ${result.dir}`);
  return { wallMs, phases };
}

let passed = false;
try {
  const coldRun = cold ? await timedRun("cold default matrix") : undefined;
  const warmRun = parts.includes("warm") ? await timedRun("warm default matrix") : undefined;
  const warmOne = parts.includes("one") ? await timedRun("warm debian-12", ["debian-12"]) : undefined;
  report("run", {
    accel: (await hostBudget(ctx)).accel,
    cold: coldRun,
    warm: warmRun,
    warmOneDistribution: warmOne,
    warmOverCold: coldRun && warmRun ? Math.round((warmRun.wallMs / coldRun.wallMs) * 100) / 100 : undefined,
    goals: "warm one-distribution run under 90 s; cold default matrix under 12 min",
    met: { warmOne: warmOne ? warmOne.wallMs < 90_000 : undefined, cold: coldRun ? coldRun.wallMs < 12 * 60_000 : undefined },
  });
  passed = true;
} finally {
  // A failed run's directory is what explains it: kept.
  if (passed) rmSync(state, { recursive: true, force: true });
  else console.error(`kept ${state} for the failed run`);
}
