import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Journal } from "@msf/run";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// Run directories written the way a run writes them (journal, report): Debian 12 passed in the
// oldest runs, then failed; one run is still going.
const temp = makeTempDir();
afterAll(() => temp.remove());
const env = { ...process.env, MSF_HOME: temp.path };

async function run(minute: number, outcome: "passed" | "failed" | "running") {
  const runId = `20261130T12${String(minute).padStart(2, "0")}00-abcd`;
  const dir = join(temp.path, "runs", runId);
  const journal = await Journal.open(join(dir, "journal.ndjson"));
  await journal.append({ type: "run-started", at: minute, runId, matrix: ["debian-12"], tasks: ["debian-12:test"], resumed: false });
  if (outcome === "running") return runId;
  await journal.append({ type: "run-finished", at: minute + 1, status: outcome });
  mkdirSync(join(dir, "report"), { recursive: true });
  const check = { id: "imap-login", component: "dovecot", status: outcome === "passed" ? "pass" : "fail", durationMs: 1, message: "", evidence: "" };
  const distribution = { id: "debian-12", name: "Debian 12", phases: [{ phase: "test", status: outcome === "passed" ? "done" : "failed" }], checks: [check] };
  writeFileSync(
    join(dir, "report", "report.json"),
    JSON.stringify({ schemaVersion: 2, runId, startedAt: "2026-11-30T12:00:00Z", status: outcome, distributions: [distribution] }),
  );
  return runId;
}

describe("msf runs gc", () => {
  it("keeps the newest runs, the last good and the first bad one, and a running run; --dry-run removes nothing", async () => {
    const ids = [];
    for (const [minute, outcome] of [
      [1, "passed"],
      [2, "passed"],
      [3, "passed"],
      [4, "failed"],
      [5, "failed"],
      [6, "failed"],
      [7, "running"],
    ] as const) {
      ids.push(await run(minute, outcome));
    }
    const [, , lastGood, firstBad, , newest, running] = ids;
    const dry = await runMsfInProcess(["runs", "gc", "--keep", "1", "--dry-run", "--json"], env);
    expect(dry.code).toBe(0);
    expect(dry.last).toMatchObject({ removed: [ids[4], ids[1], ids[0]], kept: 4, dryRun: true });
    expect(readdirSync(join(temp.path, "runs"))).toHaveLength(7);
    const gc = await runMsfInProcess(["runs", "gc", "--keep", "1"], env);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toContain(`removed run ${ids[0]}`);
    expect(readdirSync(join(temp.path, "runs")).sort()).toEqual([lastGood, firstBad, newest, running].sort());
    expect(existsSync(join(temp.path, "runs", lastGood as string, "report", "report.json"))).toBe(true);
    // The history still reads: msf runs lists what is left.
    expect((await runMsfInProcess(["runs", "--json"], env)).last?.runs).toHaveLength(4);
    const bad = await runMsfInProcess(["runs", "gc", "--keep", "0", "--json"], env);
    expect(bad.code).toBe(2);
    expect(String(bad.last?.message)).toMatch(/--keep.*1 or more/);
  });
});
