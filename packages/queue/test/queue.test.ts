import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { listWorkers, openCoordinator, openRedis, type QueueCoordinator } from "@msf/queue";
import { parseRunConfig, type RunConfigInput, type RunEvent, readJournal, readRunSnapshot, runMatrix } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { makeTempDir, startNodeScript, startRedis, type TestRedis, waitForExit } from "@msf/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

// The matrix on BullMQ over a real redis-server: real workers in their own processes (stand-in
// steps instead of VMs, so a test can kill one at a known point), the real executor, journal and
// report on the coordinator's side.
const WORKER = join(import.meta.dirname, "support/stand-in-worker.ts");
const temp = makeTempDir("msf-queue-");
let redis: TestRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill("SIGTERM");
    await waitForExit(child);
  }
  const connection = openRedis(redis.url);
  await connection.flushall();
  await connection.quit();
});
afterAll(async () => {
  await redis.close();
  temp.remove();
});

let homes = 0;
async function worker(id: string, env: Record<string, string> = {}, accel = "tcg") {
  const home = join(temp.path, `${id}-${++homes}`);
  const child = await startNodeScript(WORKER, [redis.url, home, id, accel], `worker ${id} ready`, 20_000, env);
  children.push(child);
  const steps = () =>
    existsSync(join(home, "steps.ndjson"))
      ? readFileSync(join(home, "steps.ndjson"), "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as { task: string; kind: string; at: number })
      : [];
  return { child, home, steps };
}

/** Resolves once the worker has started the task (10 s at most). */
async function startedOn(on: { steps: () => Array<{ task: string }> }, task: string) {
  for (let i = 0; !on.steps().some((s) => s.task === task); i++) {
    if (i > 400) throw new Error(`${task} never started`);
    await sleep(25);
  }
}

async function queuedRun(
  coordinator: QueueCoordinator,
  distros: string[],
  options: { onEvent?: (event: RunEvent) => void; config?: RunConfigInput; signal?: AbortSignal } = {},
) {
  const home = join(temp.path, `coordinator-${++homes}`);
  const ctx = createContext({ env: { MSF_HOME: home }, signal: options.signal });
  const config = parseRunConfig({ images: { offline: true }, ...options.config });
  const result = await runMatrix(ctx, {
    config,
    distros,
    runner: ({ runDir, plan }) => coordinator.runner({ runDir, plan, config }),
    budget: () => coordinator.budget(),
    onEvent: options.onEvent,
  });
  const journal = await readJournal(join(result.dir, "journal.ndjson"));
  const done = journal.filter((e) => e.type === "task-finished" && e.status === "done").map((e) => (e as { task: string }).task);
  return { result, journal, done, ctx };
}

describe("msf run on BullMQ workers", () => {
  it("runs Debian 12 and 13 on two workers, one distribution each, with the evidence and a report like a local run's", async () => {
    const [a, b] = await Promise.all([worker("a"), worker("b")]);
    const coordinator = await openCoordinator({ url: redis.url });
    try {
      expect((await coordinator.workers()).map((w) => [w.id, w.state, w.slots])).toEqual([
        ["a", "idle", 1],
        ["b", "idle", 1],
      ]);
      const { result, journal, done, ctx } = await queuedRun(coordinator, ["debian-12", "debian-13"]);
      expect(result.status).toBe("passed");
      // msf status, the API and the run page say where each distribution runs.
      const { snapshot } = await readRunSnapshot(ctx, { runId: result.runId, dir: result.dir });
      expect(new Set(snapshot.distributions.map((d) => d.worker))).toEqual(new Set(["a", "b"]));
      expect(done.sort()).toEqual(Object.keys(result.tasks).sort());
      // Each distribution stayed on the worker that took its first step, and each worker had one.
      const hosts = ["debian-12", "debian-13"].map(
        (distro) => new Set(Object.entries(result.tasks).flatMap(([id, t]) => (id.startsWith(distro) ? [t.outputs?.worker] : []))),
      );
      expect(hosts.map((h) => h.size)).toEqual([1, 1]);
      expect(new Set(hosts.flatMap((h) => [...h]))).toEqual(new Set(["a", "b"]));
      expect(a.steps().length + b.steps().length).toBe(done.length - 1); // every task but the report, once
      // The workers' evidence is in the coordinator's run directory; the report read it.
      expect(readFileSync(join(result.dir, "vms/debian-13/deploy.txt"), "utf8")).toMatch(/debian-13:deploy on [ab]/);
      const report = JSON.parse(readFileSync(join(result.reportDir, "report.json"), "utf8"));
      expect(report.distributions.map((r: { id: string; checks: unknown[] }) => [r.id, r.checks.length])).toEqual([
        ["debian-12", 2],
        ["debian-13", 2],
      ]);
      // The workers' progress lines reach the journal's log stream through Redis.
      expect(journal.some((e) => e.type === "task-finished")).toBe(true);
    } finally {
      await coordinator.close();
    }
  }, 60_000);

  it("a worker SIGKILLed during deploy: the distribution finishes on the other worker, every task done once", async () => {
    const hold = join(temp.path, "hold-deploy");
    writeFileSync(hold, "");
    const a = await worker("a", { HOLD_DEPLOY: hold });
    const coordinator = await openCoordinator({ url: redis.url, lostAfterMs: 2_000 });
    const lines: string[] = [];
    try {
      const run = queuedRun(coordinator, ["debian-12"], {
        onEvent: (event) => event.type === "task-output" && lines.push(`${event.task}: ${event.line}`),
      });
      await startedOn(a, "debian-12:deploy");
      const b = await worker("b");
      rmSync(hold); // b's deploy does not wait
      a.child.kill("SIGKILL");
      const { result, done } = await run;
      expect(result.status).toBe("passed");
      expect(done.filter((t) => t === "debian-12:deploy")).toHaveLength(1);
      expect(new Set(done).size).toBe(done.length);
      // b replayed what a had done (its image, its VM), then deploy and the rest.
      expect(b.steps().map((s) => s.task)).toEqual([
        "debian-12:install",
        "debian-12:archive",
        "debian-12:boot",
        "debian-12:deploy",
        "debian-12:test",
        "debian-12:collect",
      ]);
      expect(result.tasks["debian-12:collect"]?.outputs?.worker).toBe("b");
      expect(lines.join("\n")).toMatch(/worker a is lost: debian-12 goes on another worker/);
      expect((await coordinator.workers()).find((w) => w.id === "a")?.state).toBe("lost");
    } finally {
      await coordinator.close();
    }
  }, 60_000);

  it("a cancelled run reaches the worker within a second: its step stops, the distribution is cleaned up there, the journal says interrupted", async () => {
    const hold = join(temp.path, "hold-deploy-cancel");
    writeFileSync(hold, "");
    const a = await worker("a", { HOLD_DEPLOY: hold });
    const coordinator = await openCoordinator({ url: redis.url });
    const cancel = new AbortController();
    try {
      const run = queuedRun(coordinator, ["debian-12"], { signal: cancel.signal });
      await startedOn(a, "debian-12:deploy");
      const cancelledAt = Date.now();
      cancel.abort();
      const { result, journal } = await run;
      expect(result.status).toBe("interrupted");
      const aborted = a.steps().find((s) => s.kind === "aborted") as { task: string; at: number } | undefined;
      expect(aborted?.task).toBe("debian-12:deploy");
      expect((aborted?.at ?? Number.POSITIVE_INFINITY) - cancelledAt).toBeLessThan(1_000);
      // The worker cleaned up what it ran for the distribution (the VM's boot among them), newest first.
      expect(
        a
          .steps()
          .filter((s) => s.kind === "cleanup")
          .map((s) => s.task),
      ).toEqual(["debian-12:deploy", "debian-12:boot", "debian-12:archive", "debian-12:install"]);
      expect(journal.find((e) => e.type === "task-finished" && (e as { task: string }).task === "debian-12:deploy")).toMatchObject({ status: "interrupted" });
    } finally {
      rmSync(hold, { force: true });
      await coordinator.close();
    }
  }, 60_000);

  it("a step that needs KVM is never taken by a TCG worker: the run says no worker can run it", async () => {
    const tcg = await worker("tcg-only");
    const coordinator = await openCoordinator({ url: redis.url, accel: "kvm" });
    try {
      const { result, journal } = await queuedRun(coordinator, ["debian-12"]);
      expect(result.status).toBe("failed");
      const failed = journal.find((e) => e.type === "task-finished" && e.status === "failed") as { message?: string } | undefined;
      expect(failed?.message).toMatch(/no worker can run debian-12:install: it needs KVM .*workers: tcg-only \(tcg/);
      expect(tcg.steps()).toEqual([]);
    } finally {
      await coordinator.close();
    }
  }, 60_000);

  it("Redis restarting during a run loses nothing: the run finishes", async () => {
    await Promise.all([worker("a", { STEP_MS: "800" }), worker("b", { STEP_MS: "800" })]);
    const coordinator = await openCoordinator({ url: redis.url });
    try {
      const run = queuedRun(coordinator, ["debian-12", "debian-13"]);
      await sleep(2_000);
      await redis.restart(1_000);
      const { result, done } = await run;
      expect(result.status).toBe("passed");
      expect(new Set(done).size).toBe(done.length);
    } finally {
      await coordinator.close();
    }
  }, 90_000);

  it("the registry lists each worker with what it offers; a record that does not parse is left out", async () => {
    await worker("a");
    const connection = openRedis(redis.url);
    await connection.hset("msf:workers", "junk", "{not json");
    const [a] = await listWorkers(connection);
    await connection.quit();
    expect(a).toMatchObject({ id: "a", accel: "tcg", slots: 1, state: "idle", holding: [], current: [] });
    expect(a?.cpus).toBeGreaterThan(0);
    expect(a?.diskFreeMiB).toBeGreaterThan(0);
  });
});
