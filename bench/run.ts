// `msf run` on the default matrix (Debian 11, 12, 13) under this host's accelerator: cold (an empty
// image cache, so every golden image is built from the archive), then warm (images cached), then
// warm with one distribution. Time per phase from the run's journal. Goals: warm one-distribution
// run under 90 s; cold default matrix under 12 minutes. PARTS=cold,warm,one picks the runs (all by
// default); without `cold` the runs use the existing image cache (MSF_CACHE).
// PARTS=cold-debs is issue 19's cold goal (at most 5 min): an empty image cache with a warm package
// cache (a copy of MSF_CACHE's debs/), RUNS times (default 3), each in a cache of its own, median.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveMsfPaths } from "@msf/core";
import { hostBudget, parseRunConfig, type RunResult, runMatrix } from "@msf/run";
import { createContext, type MsfContext } from "@msf/supervisor";
import { median, report } from "./stats.ts";

const parts = (process.env.PARTS ?? "cold,warm,one").split(",");
const cold = parts.includes("cold");
const state = mkdtempSync(join(tmpdir(), "msf-bench-run-"));
const sharedCache = resolveMsfPaths().cache;
const cache = cold ? join(state, "cache") : sharedCache;
const ctx = createContext({ env: { ...process.env, MSF_HOME: state, MSF_CACHE: cache } });
const config = parseRunConfig({});

/** Wall time and each task's duration, grouped by phase then distribution. */
async function timedRun(label: string, distros?: string[], runCtx: MsfContext = ctx) {
  const started = Date.now();
  const result: RunResult = await runMatrix(runCtx, { config, distros });
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

/** The default matrix cold but for the packages: a fresh image cache holding a copy of MSF_CACHE's debs. */
async function coldWithDebs(round: number) {
  const debs = join(sharedCache, "debs");
  if (!existsSync(debs)) throw new Error(`no package cache at ${debs}: run the default matrix once (or PARTS=cold) to fill it`);
  const home = join(state, `cold-debs-${round}`);
  cpSync(debs, join(home, "cache", "debs"), { recursive: true });
  const runCtx = createContext({ env: { ...process.env, MSF_HOME: home, MSF_CACHE: join(home, "cache") } });
  const run = await timedRun(`cold default matrix, warm package cache (${round})`, undefined, runCtx);
  rmSync(home, { recursive: true, force: true });
  return run;
}

let passed = false;
try {
  const coldDebs = [];
  if (parts.includes("cold-debs")) for (let round = 1; round <= Number(process.env.RUNS ?? 3); round++) coldDebs.push(await coldWithDebs(round));
  const coldDebsMedianMs = coldDebs.length ? median(coldDebs.map((r) => r.wallMs)) : undefined;
  const coldRun = cold ? await timedRun("cold default matrix") : undefined;
  const warmRun = parts.includes("warm") ? await timedRun("warm default matrix") : undefined;
  const warmOne = parts.includes("one") ? await timedRun("warm debian-12", ["debian-12"]) : undefined;
  report("run", {
    accel: (await hostBudget(ctx)).accel,
    cold: coldRun,
    warm: warmRun,
    warmOneDistribution: warmOne,
    coldWithPackageCache: coldDebsMedianMs === undefined ? undefined : { medianWallMs: coldDebsMedianMs, samples: coldDebs },
    warmOverCold: coldRun && warmRun ? Math.round((warmRun.wallMs / coldRun.wallMs) * 100) / 100 : undefined,
    goals: "warm one-distribution run under 90 s; cold default matrix under 12 min; with a warm package cache at most 5 min",
    met: {
      warmOne: warmOne ? warmOne.wallMs < 90_000 : undefined,
      cold: coldRun ? coldRun.wallMs < 12 * 60_000 : undefined,
      coldWithPackageCache: coldDebsMedianMs === undefined ? undefined : coldDebsMedianMs <= 5 * 60_000,
    },
  });
  passed = true;
} finally {
  // A failed run's directory is what explains it: kept.
  if (passed) rmSync(state, { recursive: true, force: true });
  else console.error(`kept ${state} for the failed run`);
}
