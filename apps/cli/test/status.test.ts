import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Journal, parseRunConfig, planRun } from "@msf/run";
import { makeTempDir, startMsf } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// A run in progress written the way the orchestrator writes it (plan.json, journal.ndjson): Debian 12
// has passed its checks, Debian 13 is booting.
let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

async function runInProgress() {
  temp = makeTempDir();
  const runId = "20261125T120000-abcd";
  const dir = join(temp.path, "runs", runId);
  const plan = planRun({ config: parseRunConfig({ matrix: ["debian-12", "debian-13"] }), host: { memoryMiB: 8192, cpus: 2, accel: "tcg" } });
  const journal = await Journal.open(join(dir, "journal.ndjson"));
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan));
  const now = Date.now();
  await journal.append({ type: "run-started", at: now - 60_000, runId, matrix: plan.matrix, tasks: plan.tasks.map((t) => t.id), resumed: false });
  for (const phase of ["install", "archive", "boot", "deploy", "test"]) {
    await journal.append({ type: "task-started", at: now - 50_000, task: `debian-12:${phase}` });
    const outputs = phase === "test" ? { passed: 20, failed: 0 } : {};
    await journal.append({ type: "task-finished", at: now - 40_000, task: `debian-12:${phase}`, status: "done", durationMs: 1_000, outputs });
  }
  await journal.append({ type: "task-started", at: now - 5_000, task: "debian-13:boot" });
  const bootTimeout = plan.tasks.find((t) => t.id === "debian-13:boot")?.timeoutMs as number;
  return { env: { ...process.env, MSF_HOME: temp.path }, journal, bootTimeout };
}

describe("msf status", () => {
  it("shows per distribution the phase, elapsed and remaining timeout, and the checks; plus processes and media", async () => {
    const { env, journal, bootTimeout } = await runInProgress();
    await journal.close();
    const status = await runMsfInProcess(["status", "--json"], env);
    expect(status.code).toBe(0);
    const [debian12, debian13] = (status.last?.distributions ?? []) as Array<Record<string, unknown>>;
    expect(debian12).toMatchObject({ distro: "debian-12", phase: "test", state: "done", checks: { passed: 20, failed: 0 } });
    expect(debian13).toMatchObject({ distro: "debian-13", phase: "boot", state: "running" });
    expect(debian13?.timeoutLeftMs).toBeGreaterThan(bootTimeout - 60_000);
    expect(debian13?.timeoutLeftMs).toBeLessThan(bootTimeout - 4_000);
    expect(status.last).toMatchObject({ status: "running", processes: [], media: { files: 0, bytes: 0 } });
    const human = await runMsfInProcess(["status"], env);
    expect(human.stdout).toMatch(/debian-13\s+boot\s+running\s+\d+\.\d s\s+\d+\.\d s/);
    expect(human.stdout).toContain("20 passed, 0 failed");
  });

  it("--watch redraws on each journal event and ends when the run does", async () => {
    const { env, journal } = await runInProgress();
    const watching = startMsf(["status", "--watch", "--json"], env);
    const frames = watching.lines as Array<{ status: string; distributions: Array<{ state: string }> }>;
    try {
      await watching.waitFor(() => true);
      expect(frames[0]?.status).toBe("running");
      await journal.append({ type: "task-finished", at: Date.now(), task: "debian-13:boot", status: "done", durationMs: 6_000 });
      await sleep(500);
      await journal.append({ type: "run-finished", at: Date.now(), status: "failed" });
      expect(await watching.exited).toBe(0);
      expect(frames.some((frame) => frame.distributions[1]?.state === "done")).toBe(true);
      expect(frames.at(-1)?.status).toBe("failed");
    } finally {
      watching.child.kill("SIGKILL");
      await journal.close();
    }
  }, 60_000);
});
