// Scheduling lever: do a matrix's VM phases finish sooner one after another, or sharing the cores?
// Today each VM holds a core per vCPU and an image build holds one core, so on 2 cores one VM runs
// at a time and no VM starts while an image is built. The same matrix runs with each CPU budget in
// BUDGETS (default: the host's cores, then twice that: two VMs at once, or a VM and two builds),
// alternating, RUNS times each (default 3); medians compared in the same run.
// COLD=1: every run starts from an empty image cache with a warm package cache (the debs of
// MSF_CACHE copied in), so images are built; otherwise the images are MSF_CACHE's and ready
// snapshots are on (a first run saves them). DISTROS picks the matrix (default Debian 11, 12, 13).
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { cpus as hostCpus, tmpdir } from "node:os";
import { join } from "node:path";
import { resolveMsfPaths } from "@msf/core";
import { parseRunConfig, runMatrix } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { median, report } from "./stats.ts";

const distros = (process.env.DISTROS ?? "debian-11,debian-12,debian-13").split(",");
const runs = Number(process.env.RUNS ?? 3);
const cold = process.env.COLD === "1";
const cores = hostCpus().length;
const budgets = (process.env.BUDGETS ?? `${cores},${2 * cores}`).split(",").map(Number);
const state = mkdtempSync(join(tmpdir(), "msf-bench-overlap-"));
const sharedCache = resolveMsfPaths().cache;

interface Timed {
  wallMs: number;
  /** Sum over the distributions of boot + deploy + test: how much sharing slowed each VM. */
  vmPhasesMs: number;
  /** Sum of the image builds (cold runs). */
  buildsMs: number;
}

/** A cache for one cold run: no image, no snapshot, the package cache and accelerator verdict kept. */
function coldCache(run: string): string {
  const cache = join(state, `cache-${run}`);
  for (const keep of ["debs", "accel.json"]) cpSync(join(sharedCache, keep), join(cache, keep), { recursive: true });
  return cache;
}

async function timedRun(cpus: number, run: string): Promise<Timed> {
  const cache = cold ? coldCache(run) : sharedCache;
  const ctx = createContext({ env: { ...process.env, MSF_HOME: join(state, "home"), MSF_CACHE: cache } });
  const config = parseRunConfig({ resources: { cpus }, ...(cold ? {} : { images: { offline: true } }) });
  const started = Date.now();
  const result = await runMatrix(ctx, { config, distros });
  const wallMs = Date.now() - started;
  if (result.status !== "passed") throw new Error(`run ${result.runId} ${result.status}: see ${result.dir}`);
  const sum = (phases: string[]) => distros.flatMap((d) => phases.map((p) => result.tasks[`${d}:${p}`]?.durationMs ?? 0)).reduce((a, b) => a + b, 0);
  const timed = { wallMs, vmPhasesMs: sum(["boot", "deploy", "test"]), buildsMs: sum(["install"]) };
  console.error(`${cpus} CPUs: ${(wallMs / 1000).toFixed(1)} s (VM phases ${timed.vmPhasesMs / 1000} s, builds ${timed.buildsMs / 1000} s in all)`);
  if (cold) rmSync(cache, { recursive: true, force: true });
  return timed;
}

const medians = (samples: Timed[]): Timed => ({
  wallMs: median(samples.map((s) => s.wallMs)),
  vmPhasesMs: median(samples.map((s) => s.vmPhasesMs)),
  buildsMs: median(samples.map((s) => s.buildsMs)),
});

let passed = false;
try {
  if (!cold) await timedRun(cores, "priming"); // saves the ready snapshots (or finds them)
  const samples = new Map<number, Timed[]>(budgets.map((cpus) => [cpus, []]));
  for (let i = 0; i < runs; i++) for (const cpus of budgets) samples.get(cpus)?.push(await timedRun(cpus, `${cpus}-${i}`));
  const results = budgets.map((cpus) => ({ cpus, median: medians(samples.get(cpus) ?? []), samples: samples.get(cpus) }));
  const baseline = results[0]?.median.wallMs ?? Number.NaN;
  report(cold ? "overlap-cold" : "overlap", {
    distros,
    runs,
    hostCores: cores,
    results: results.map((r) => ({ ...r, ratio: Math.round((r.median.wallMs / baseline) * 100) / 100 })),
    fastest: results.reduce((best, r) => (r.median.wallMs < best.median.wallMs ? r : best)).cpus,
  });
  passed = true;
} finally {
  if (passed) rmSync(state, { recursive: true, force: true });
  else console.error(`kept ${state} for the failed run`);
}
