// msf serve at scale. Latency: the home page, the run list and the API's first page over 1,000
// runs of history, against the same requests over 10 runs in this run (goal: under 200 ms at 1,000).
// Memory: one event-stream client connected while the events of an hour at 10 a second (36,000
// journal lines) are written; the server's heap after GC must stay flat.
// The runs are two real runs (the executor, journal and report with stand-in steps) copied under new ids.
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildServer } from "@msf/server";
import { createContext } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { standInRun } from "../packages/server/test/stand-in-runs.ts";
import { report, summarize } from "./stats.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

const temp = makeTempDir();
const env = { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" };
const ctx = createContext({ env });
const seeds = [(await standInRun(ctx)).runId, (await standInRun(ctx, { failing: ["imap-login"] })).runId];
const seedDirs = seeds.map((id) => ({ id, dir: join(ctx.paths.runs, id) }));

/** A home with `count` runs, one a minute apart, every fifth one failing. */
function homeWith(count: number): string {
  const home = join(temp.path, `home-${count}`);
  const runs = join(home, "runs");
  mkdirSync(runs, { recursive: true });
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * 60_000).toISOString().replace(/[-:]/g, "").slice(0, 15);
    const runId = `${at}-${i.toString(16).padStart(4, "0")}`;
    const seed = seedDirs[i % 5 === 4 ? 1 : 0] as { id: string; dir: string };
    const dir = join(runs, runId);
    cpSync(seed.dir, dir, { recursive: true });
    for (const file of ["journal.ndjson", "report/report.json"]) {
      const path = join(dir, file);
      writeFileSync(path, readFileSync(path, "utf8").replaceAll(seed.id, runId));
    }
  }
  return home;
}

async function latency(count: number) {
  const home = homeWith(count);
  const app = await buildServer({ ctx: createContext({ env: { ...env, MSF_HOME: home } }), loopback: true });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const timings: Record<string, ReturnType<typeof summarize>> = {};
  for (const path of ["/", "/runs", "/api/v1/runs?limit=50", "/distros/debian-12"]) {
    const times: number[] = [];
    for (let i = 0; i < 22; i++) {
      const started = performance.now();
      const response = await fetch(`${base}${path}`);
      await response.text();
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      if (i >= 2) times.push(performance.now() - started);
    }
    timings[path] = summarize(times.map((t) => Number(t.toFixed(1))));
  }
  await app.close();
  return { runs: readdirSync(join(home, "runs")).length, timings };
}

async function memory() {
  const home = homeWith(1_000);
  const app = await buildServer({ ctx: createContext({ env: { ...env, MSF_HOME: home } }), loopback: true });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const runId = "20991231T235959-ffff";
  const journal = join(home, "runs", runId, "journal.ndjson");
  mkdirSync(join(home, "runs", runId));
  writeFileSync(
    journal,
    `${JSON.stringify({ type: "run-started", at: Date.now(), runId, matrix: ["debian-12"], tasks: ["debian-12:test"], resumed: false })}\n`,
  );
  const abort = new AbortController();
  const response = await fetch(`${base}/api/v1/events?after=${runId}:1`, { signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let received = 0;
  const reading = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      received += decoder.decode(value).split("\nevent: journal\n").length - 1;
    }
  })();
  const heapMiB = () => {
    gc?.();
    return Number((process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1));
  };
  const TOTAL = 36_000;
  const samples: Array<{ events: number; heapMiB: number }> = [{ events: 0, heapMiB: heapMiB() }];
  for (let written = 0; written < TOTAL; ) {
    // A second of a busy run's journal at a time, then let the server read it.
    const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify({ type: "task-started", at: Date.now(), task: `debian-12:step-${written + i}` }));
    appendFileSync(journal, `${lines.join("\n")}\n`);
    written += lines.length;
    while (received < written) await new Promise((resolve) => setTimeout(resolve, 50));
    if (written % 6_000 === 0) samples.push({ events: written, heapMiB: heapMiB() });
  }
  abort.abort();
  await reading;
  await app.close();
  const first = samples[1]?.heapMiB ?? 0;
  return { events: TOTAL, received, samples, growthAfterFirstSixThousandMiB: Number(((samples.at(-1)?.heapMiB ?? 0) - first).toFixed(1)) };
}

const baseline = await latency(10);
const large = await latency(1_000);
const ratios = Object.fromEntries(
  Object.keys(large.timings).map((path) => [path, Number(((large.timings[path]?.median ?? 0) / (baseline.timings[path]?.median ?? 1)).toFixed(2))]),
);
const mem = await memory();
temp.remove();
const slowest = Math.max(...Object.values(large.timings).map((t) => t.median));
report("serve", {
  latencyMs: { runs10: baseline.timings, runs1000: large.timings },
  ratio1000to10: ratios,
  memory: mem,
  goal: "home, run list and API page under 200 ms (median) over 1,000 runs; heap flat (< 5 MiB growth) over 36,000 streamed events",
  met: slowest < 200 && mem.received === mem.events && mem.growthAfterFirstSixThousandMiB < 5,
});
