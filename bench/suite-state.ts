// The archive check at plan time: the signed state of every suite of the default matrix (Debian 11,
// 12 and 13, each with -updates and -security: nine InRelease files, verified with gpgv), checked
// in parallel. Cold: fetched and verified now (--refresh); cached: a check from minutes ago.
// Goal: under 1 s for the default matrix. Needs the Debian archive.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultMatrix } from "@msf/catalog";
import { createContext } from "@msf/supervisor";
import { archiveStates } from "@msf/vm";
import { report, summarize } from "./stats.ts";

const RUNS = Number(process.env.RUNS ?? 5);
const home = mkdtempSync(join(tmpdir(), "msf-bench-suites-"));
const ctx = createContext({ env: { ...process.env, MSF_HOME: home } });
const matrix = defaultMatrix();

async function checkMatrix(refresh: boolean): Promise<{ ms: number; suites: number }> {
  const started = performance.now();
  const states = await Promise.all(matrix.map((d) => archiveStates(ctx, d, { refresh })));
  return { ms: performance.now() - started, suites: states.flat().length };
}

try {
  const cold: number[] = [];
  const cached: number[] = [];
  let suites = 0;
  for (let i = 0; i < RUNS; i++) {
    const run = await checkMatrix(true);
    cold.push(run.ms);
    suites = run.suites;
    cached.push((await checkMatrix(false)).ms);
    console.error(`run ${i + 1}/${RUNS}: cold ${run.ms.toFixed(0)} ms, cached ${cached.at(-1)?.toFixed(0)} ms (${suites} suites)`);
  }
  const coldSummary = summarize(cold);
  report("suite-state", {
    distributions: matrix.map((d) => d.id),
    suites,
    coldMs: coldSummary,
    cachedMs: summarize(cached),
    goal: "cold check of the default matrix under 1000 ms",
    met: coldSummary.max < 1000,
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
