// Queue overhead: from the coordinator handing a step to the queue to the step starting on an idle
// worker (one process, one clock), median of 100, against a Redis round trip (PING) measured in the
// same run. Goal: under 100 ms. A real redis-server on its own port (as the tests start it).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedis, openCoordinator, startWorker } from "@msf/queue";
import { type PlannedTask, parseRunConfig, type RunPlan } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { startRedis } from "@msf/test-utils";
import { report, summarize } from "./stats.ts";

const N = 100;
const dir = mkdtempSync(join(tmpdir(), "msf-bench-queue-"));
const redis = await startRedis();
const started = new Map<string, number>();
const worker = await startWorker({
  url: redis.url,
  ctx: createContext({ env: { MSF_HOME: join(dir, "worker") } }),
  id: "bench",
  runner: () => ({
    run: async (task) => {
      started.set(task.id, performance.now());
      return {};
    },
    cleanup: async () => {},
    holds: async () => true,
  }),
});
const coordinator = await openCoordinator({ url: redis.url });
try {
  const task = (i: number): PlannedTask => ({
    id: `d${i}:test`,
    distro: `d${i}`,
    phase: "test",
    bootstrap: true,
    deps: [],
    resources: { memoryMiB: 512, cpus: 1 },
    holdsVm: false,
    timeoutMs: 60_000,
    expectedMs: 1_000,
    action: "a step that returns at once",
  });
  const tasks = Array.from({ length: N + 5 }, (_, i) => task(i));
  const plan: RunPlan = { matrix: tasks.map((t) => t.distro as string), tasks, budget: { memoryMiB: 1_024, cpus: 1 } };
  const runner = coordinator.runner({ runDir: join(dir, "runs", "bench"), plan, config: parseRunConfig({}) });
  const call = { signal: new AbortController().signal, onLine: () => {} };
  const overhead: number[] = [];
  for (const [i, t] of tasks.entries()) {
    const sent = performance.now();
    await runner.run(t, {}, call);
    if (i >= 5) overhead.push((started.get(t.id) as number) - sent); // the first few warm the connections
  }
  const ping = await connectRedis(redis.url);
  const pings: number[] = [];
  for (let i = 0; i < N; i++) {
    const sent = performance.now();
    await ping.ping();
    pings.push(performance.now() - sent);
  }
  ping.disconnect();
  const queue = summarize(overhead);
  const rtt = summarize(pings);
  report("queue", {
    steps: N,
    enqueueToStartMs: { median: Number(queue.median.toFixed(2)), p90: Number(queue.p90.toFixed(2)), max: Number(queue.max.toFixed(2)) },
    redisPingMs: { median: Number(rtt.median.toFixed(3)) },
    ratioToPing: Number((queue.median / rtt.median).toFixed(1)),
    goal: "enqueue to start under 100 ms (median of 100)",
    met: queue.median < 100,
  });
} finally {
  await coordinator.close();
  await worker.close();
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
}
