import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { interruptedTasks, Journal, medianDurations, planHistory, readJournal, replayJournal } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

describe("the run journal", () => {
  it("appends one validated event per line and replays them into the run's status", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "runs/r1/journal.ndjson");
    const journal = await Journal.open(path);
    await journal.append({
      type: "run-started",
      at: 1,
      runId: "r1",
      matrix: ["debian-12"],
      tasks: ["debian-12:boot", "debian-12:deploy", "report"],
      resumed: false,
    });
    await journal.append({ type: "task-started", at: 2, task: "debian-12:boot" });
    await journal.append({ type: "task-finished", at: 30, task: "debian-12:boot", status: "done", durationMs: 28, outputs: { vm: "debian-12" } });
    await journal.append({ type: "task-started", at: 31, task: "debian-12:deploy" });
    await expect(journal.append({ type: "task-finished", at: 32, task: "x", status: "great" } as never)).rejects.toThrow();
    await journal.close();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(4);
    const status = replayJournal(await readJournal(path));
    expect(status).toMatchObject({ runId: "r1", status: "running" });
    expect(status.tasks["debian-12:boot"]).toMatchObject({ state: "done", durationMs: 28, outputs: { vm: "debian-12" } });
    expect(status.tasks.report).toEqual({ state: "pending" });
    // SIGKILLed during deploy: on resume, deploy is the task to clean up and rerun.
    expect(interruptedTasks(status)).toEqual(["debian-12:deploy"]);
  });

  it("drops a torn last line (killed mid-write) but refuses a damaged middle", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "journal.ndjson");
    const started = JSON.stringify({ type: "task-started", at: 2, task: "debian-12:boot" });
    writeFileSync(path, `${started}\n{"type":"task-fini`);
    expect(await readJournal(path)).toHaveLength(1);
    appendFileSync(path, `\n${started}\n`);
    await expect(readJournal(path)).rejects.toThrow(/journal\.ndjson:2 is not a journal event/);
  });
});

describe("expected durations from the run history", () => {
  const finished = (runId: string, durations: Record<string, number | "failed">) =>
    replayJournal([
      { type: "run-started", at: 1, runId, matrix: ["debian-12"], tasks: Object.keys(durations), resumed: false },
      ...Object.entries(durations).map(([task, ms]) =>
        ms === "failed"
          ? { type: "task-finished" as const, at: 2, task, status: "failed" as const, durationMs: 5, outputs: {} }
          : { type: "task-finished" as const, at: 2, task, status: "done" as const, durationMs: ms, outputs: {} },
      ),
    ]);

  it("takes each task's median over the runs where it finished, ignoring failures", () => {
    const runs = [
      finished("a", { "debian-12:deploy": 40, "debian-12:test": 30 }),
      finished("b", { "debian-12:deploy": 90, "debian-12:test": "failed" }),
      finished("c", { "debian-12:deploy": 50, "debian-12:test": 34 }),
    ];
    expect(medianDurations(runs)).toEqual({ "debian-12:deploy": 50, "debian-12:test": 32 });
    expect(medianDurations([])).toEqual({});
  });

  it("reads them from this state directory's journals", async () => {
    temp = makeTempDir();
    const ctx = createContext({ env: { MSF_HOME: temp.path } });
    expect(medianDurations(await planHistory(ctx))).toEqual({});
    for (const [runId, ms] of [
      ["20261101T000000-aaaa", 100],
      ["20261102T000000-bbbb", 300],
    ] as const) {
      const journal = await Journal.open(join(temp.path, "runs", runId, "journal.ndjson"));
      await journal.append({ type: "run-started", at: 1, runId, matrix: ["debian-12"], tasks: ["debian-12:boot"], resumed: false });
      await journal.append({ type: "task-finished", at: 2, task: "debian-12:boot", status: "done", durationMs: ms, outputs: {} });
      await journal.close();
    }
    expect(medianDurations(await planHistory(ctx))).toEqual({ "debian-12:boot": 200 });
  });
});
