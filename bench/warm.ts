// A warm single distribution (its golden image cached, nothing running) to a full report, two ways
// in the same run: today's path (boot, deploy from scratch: snapshots off) and the ready snapshot
// (restore, deploy over it, which rotates every secret). A first run saves the snapshot; then the
// two paths alternate, RUNS times each (default 3), and the medians are compared. Goal: at most
// 20 s and at most 0.3x today's path. DISTRO picks the distribution (default debian-12); the image
// cache is MSF_CACHE's (run `pnpm msf run --distro debian-12` once to fill it).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveMsfPaths } from "@msf/core";
import { parseRunConfig, runMatrix } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { median, report } from "./stats.ts";

const distro = process.env.DISTRO ?? "debian-12";
const runs = Number(process.env.RUNS ?? 3);
const state = mkdtempSync(join(tmpdir(), "msf-bench-warm-"));
const cache = resolveMsfPaths().cache;
const ctx = createContext({ env: { ...process.env, MSF_HOME: state, MSF_CACHE: cache } });

const PHASES = ["boot", "deploy", "test"] as const;
type Timed = { wallMs: number } & Record<(typeof PHASES)[number], number>;

async function timedRun(snapshots: boolean): Promise<Timed> {
  const config = parseRunConfig({ snapshots, images: { offline: true } });
  const started = Date.now();
  const result = await runMatrix(ctx, { config, distros: [distro] });
  const wallMs = Date.now() - started;
  if (result.status !== "passed") throw new Error(`run ${result.runId} ${result.status}: see ${result.dir}`);
  const phase = (name: string) => result.tasks[`${distro}:${name}`]?.durationMs ?? 0;
  const timed = { wallMs, boot: phase("boot"), deploy: phase("deploy"), test: phase("test") };
  console.error(
    `${snapshots ? "snapshot" : "today's path"}: ${(wallMs / 1000).toFixed(1)} s (boot ${timed.boot} ms, deploy ${timed.deploy} ms, test ${timed.test} ms)`,
  );
  return timed;
}

const medians = (samples: Timed[]) => Object.fromEntries((["wallMs", ...PHASES] as const).map((key) => [key, median(samples.map((s) => s[key]))])) as Timed;

let passed = false;
try {
  const priming = await timedRun(true); // saves the ready snapshot (or finds it)
  const today: Timed[] = [];
  const snapshot: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    today.push(await timedRun(false));
    snapshot.push(await timedRun(true));
  }
  const [t, s] = [medians(today), medians(snapshot)];
  report("warm", {
    distro,
    runs,
    priming,
    todaysPath: { median: t, samples: today },
    readySnapshot: { median: s, samples: snapshot },
    ratio: Math.round((s.wallMs / t.wallMs) * 100) / 100,
    goals: "a warm single distribution at most 20 s and at most 0.3x today's path",
    met: { under20s: s.wallMs <= 20_000, ratio: s.wallMs <= 0.3 * t.wallMs },
  });
  passed = true;
} finally {
  if (passed) rmSync(state, { recursive: true, force: true });
  else console.error(`kept ${state} for the failed run`);
}
