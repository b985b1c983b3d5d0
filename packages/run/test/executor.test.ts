import { setTimeout as sleep } from "node:timers/promises";
import { type ErrorCode, MsfError } from "@msf/core";
import {
  executePlan,
  type JournalEvent,
  type JournalEventInput,
  JournalEventSchema,
  type PlannedTask,
  parseRunConfig,
  planRun,
  type RunPlan,
  replayJournal,
  restoreFinished,
  type StepRunner,
} from "@msf/run";
import { describe, expect, it } from "vitest";

// The executor driven by fake steps: every rule of the run (order, budget, skip after failure,
// timeouts, cleanups newest first, Ctrl-C, resume after a crash at any point) in milliseconds.
type Data = Record<string, unknown>;

interface FakeBehaviour {
  ms?: number;
  fail?: string;
  /** Fails the first time only (a boot that works when tried again). */
  failOnce?: string;
  /** The failure is msf's error with this code. */
  code?: ErrorCode;
  /** Runs until told to stop (a timeout or Ctrl-C). */
  hang?: boolean;
}

/** Steps that only write down what they did; one per "process" (a crashed one stops counting). */
class FakeRunner implements StepRunner {
  readonly log: string[] = [];
  dead = false;
  vmsUp = new Set<string>();
  maxVmsUp = 0;
  readonly behaviour: Record<string, FakeBehaviour>;
  readonly gone: Set<string>;
  constructor(behaviour: Record<string, FakeBehaviour> = {}, gone: Set<string> = new Set()) {
    this.behaviour = behaviour;
    this.gone = gone;
  }

  private note(line: string) {
    if (!this.dead) this.log.push(line);
  }

  async run(task: PlannedTask, input: Data, call: { signal: AbortSignal }): Promise<Data> {
    const how = this.behaviour[task.id] ?? {};
    this.note(`run ${task.id}`);
    if (task.phase === "boot") {
      this.vmsUp.add(task.distro ?? "");
      this.maxVmsUp = Math.max(this.maxVmsUp, this.vmsUp.size);
    }
    if (task.phase === "collect") this.vmsUp.delete(task.distro ?? "");
    if (how.hang) {
      await new Promise((resolve) => call.signal.addEventListener("abort", resolve, { once: true }));
      this.note(`stopped ${task.id}`);
      throw call.signal.reason ?? new Error("stopped");
    }
    await sleep(how.ms ?? 1);
    if (how.fail) throw how.code ? new MsfError(how.code, how.fail) : new Error(how.fail);
    if (how.failOnce && this.log.filter((l) => l === `run ${task.id}`).length === 1) throw new Error(how.failOnce);
    return { [`${task.phase}Out`]: `${task.id} made by ${JSON.stringify(Object.keys(input).sort())}` };
  }

  async cleanup(task: PlannedTask): Promise<void> {
    this.note(`cleanup ${task.id}`);
    if (task.phase === "boot") this.vmsUp.delete(task.distro ?? "");
  }

  async holds(task: PlannedTask): Promise<boolean> {
    return !this.gone.has(task.id);
  }
}

const host = { memoryMiB: 24_576, cpus: 2, accel: "tcg" as const };
const twoDistros = () => planRun({ config: parseRunConfig({ matrix: ["debian-12", "debian-13"] }), host });
const oneDistro = () => planRun({ config: parseRunConfig({ matrix: ["debian-12"] }), host });

function journal(limit = Number.POSITIVE_INFINITY) {
  const events: JournalEvent[] = [];
  let died: () => void = () => {};
  const crashed = new Promise<void>((resolve) => {
    died = resolve;
  });
  return {
    events,
    /** Settles when the journal has `limit` events: the process dies there. */
    crashed,
    record: async (event: JournalEventInput) => {
      if (events.length >= limit) {
        died();
        return new Promise<void>(() => {}); // nothing more is written, nothing more happens
      }
      events.push(JournalEventSchema.parse(event));
    },
  };
}

async function execute(plan: RunPlan, runner: FakeRunner, options: { signal?: AbortSignal } = {}) {
  const j = journal();
  const states = await executePlan({ plan, runner, record: j.record, report: async () => ({ report: true }), signal: options.signal });
  return { states, events: j.events, status: replayJournal(j.events) };
}

const ran = (runner: FakeRunner) => runner.log.filter((l) => l.startsWith("run ")).map((l) => l.slice(4));
const finished = (events: JournalEvent[]) => events.flatMap((e) => (e.type === "task-finished" ? [`${e.task} ${e.status}`] : []));

describe("the executor, with fake steps", () => {
  it("runs every task in order, each getting its distribution's earlier outputs, and the report last", async () => {
    const runner = new FakeRunner();
    const { status, events } = await execute(twoDistros(), runner);
    expect(Object.values(status.tasks).every((t) => t.state === "done")).toBe(true);
    expect(finished(events).at(-1)).toBe("report done");
    for (const distro of ["debian-12", "debian-13"]) {
      expect(ran(runner).filter((id) => id.startsWith(distro))).toEqual(
        ["install", "archive", "boot", "deploy", "test", "collect"].map((p) => `${distro}:${p}`),
      );
    }
    expect(status.tasks["debian-12:boot"]?.outputs).toEqual({ bootOut: 'debian-12:boot made by ["archiveOut","installOut"]' });
    expect(runner.log.some((l) => l.startsWith("cleanup"))).toBe(false);
  });

  it("keeps within the budget: two emulated VMs never run at once on two cores", async () => {
    const runner = new FakeRunner();
    await execute(twoDistros(), runner);
    expect(runner.maxVmsUp).toBe(1);
  });

  it("a failure skips the rest of its distribution only, and cleans up what it started, newest first", async () => {
    const runner = new FakeRunner({ "debian-12:deploy": { fail: "postfix did not start" } });
    const { status } = await execute(twoDistros(), runner);
    expect(status.tasks["debian-12:deploy"]).toMatchObject({ state: "failed", message: "postfix did not start" });
    expect(["test", "collect"].map((p) => status.tasks[`debian-12:${p}`]?.state)).toEqual(["skipped", "skipped"]);
    expect(
      Object.entries(status.tasks)
        .filter(([id]) => id.startsWith("debian-13"))
        .every(([, t]) => t.state === "done"),
    ).toBe(true);
    expect(status.tasks.report?.state).toBe("done");
    const cleanups = runner.log.filter((l) => l.startsWith("cleanup")).map((l) => l.slice(8));
    expect(cleanups).toEqual(["debian-12:deploy", "debian-12:boot", "debian-12:archive", "debian-12:install"]);
  });

  it("an infrastructure failure (a boot) is cleaned up and the distribution runs once more from its first task; a second one counts", async () => {
    const once = new FakeRunner({ "debian-12:boot": { failOnce: "no SSH banner within 5 min" } });
    const { status, events } = await execute(oneDistro(), once);
    expect(Object.values(status.tasks).every((t) => t.state === "done")).toBe(true);
    expect(ran(once)).toEqual([
      ...["install", "archive", "boot"].map((p) => `debian-12:${p}`),
      ...["install", "archive", "boot", "deploy", "test", "collect"].map((p) => `debian-12:${p}`),
    ]);
    expect(finished(events)).toContain("debian-12:boot failed");
    expect(once.log.slice(3, 6)).toEqual(["cleanup debian-12:boot", "cleanup debian-12:archive", "cleanup debian-12:install"]);

    const twice = new FakeRunner({ "debian-12:boot": { fail: "no SSH banner within 5 min" } });
    const again = await execute(oneDistro(), twice);
    expect(again.status.tasks["debian-12:boot"]).toMatchObject({ state: "failed", message: "no SSH banner within 5 min" });
    expect(again.status.tasks["debian-12:deploy"]?.state).toBe("skipped");
    expect(ran(twice).filter((t) => t === "debian-12:boot")).toHaveLength(2);
  });

  it("a product failure (the checks), or one a second try would meet again (the installer's question), is not run again", async () => {
    const runner = new FakeRunner({ "debian-12:test": { fail: "checks failed: imap-login" } });
    await execute(oneDistro(), runner);
    expect(ran(runner).filter((t) => t === "debian-12:test")).toHaveLength(1);
    const question = new FakeRunner({ "debian-12:install": { fail: "the installer asks: Keyboard layout", code: "ERR_MSF_INSTALL_QUESTION" } });
    await execute(oneDistro(), question);
    expect(ran(question).filter((t) => t === "debian-12:install")).toHaveLength(1);
  });

  it("a step past its phase timeout is told to stop, journalled as timed-out, then cleaned up", async () => {
    const plan = oneDistro();
    (plan.tasks.find((t) => t.id === "debian-12:test") as PlannedTask).timeoutMs = 50;
    const runner = new FakeRunner({ "debian-12:test": { hang: true } });
    const { status } = await execute(plan, runner);
    expect(status.tasks["debian-12:test"]).toMatchObject({ state: "timed-out", message: expect.stringMatching(/debian-12:test did not finish within 50 ms/) });
    expect(runner.log.indexOf("stopped debian-12:test")).toBeLessThan(runner.log.indexOf("cleanup debian-12:test"));
    expect(status.tasks["debian-12:collect"]?.state).toBe("skipped");
  });

  it("Ctrl-C: nothing new starts, the running step is interrupted, every distribution under way is cleaned up", async () => {
    const controller = new AbortController();
    const runner = new FakeRunner({ "debian-12:boot": { hang: true } });
    const running = execute(twoDistros(), runner, { signal: controller.signal });
    while (!runner.log.includes("run debian-12:boot")) await sleep(5);
    const atAbort = runner.log.length;
    controller.abort();
    const { status } = await running;
    expect(status.tasks["debian-12:boot"]?.state).toBe("interrupted");
    expect(runner.log.slice(atAbort).filter((line) => line.startsWith("run "))).toEqual([]);
    for (const [id, task] of Object.entries(status.tasks)) {
      if (id !== "report" && task.state !== "pending" && !id.endsWith(":collect")) expect(runner.log, id).toContain(`cleanup ${id}`);
    }
    expect(runner.log.indexOf("cleanup debian-12:boot")).toBeLessThan(runner.log.indexOf("cleanup debian-12:install"));
    expect(status.tasks.report?.state ?? "pending").toBe("pending");
  });

  it("resumes after a crash at any point of the journal: done tasks stay done, a half-done one is cleaned then rerun, nothing is recorded done twice", async () => {
    const plan = oneDistro();
    const total = (await execute(plan, new FakeRunner())).events.length;
    for (let crashAt = 1; crashAt < total; crashAt++) {
      const before = journal(crashAt);
      const crashed = new FakeRunner();
      void executePlan({ plan, runner: crashed, record: before.record, report: async () => ({}) });
      await before.crashed;
      crashed.dead = true;
      const resumed = new FakeRunner();
      const restored = await restoreFinished(plan, replayJournal(before.events), resumed);
      const after = journal();
      await executePlan({ plan, runner: resumed, record: after.record, report: async () => ({}), ...restored });
      const all = [...before.events, ...after.events];
      const doneTwice = plan.tasks.filter((t) => finished(all).filter((f) => f === `${t.id} done`).length > 1).map((t) => t.id);
      expect(doneTwice, `crash after event ${crashAt}`).toEqual([]);
      expect(
        Object.values(replayJournal(all).tasks).every((t) => t.state === "done"),
        `crash after event ${crashAt}`,
      ).toBe(true);
      for (const id of restored.interrupted.filter((id) => id !== "report")) {
        expect(resumed.log.indexOf(`cleanup ${id}`), `${id} after event ${crashAt}`).toBeLessThan(resumed.log.indexOf(`run ${id}`));
      }
    }
  });

  it("on resume, what no longer holds (a VM that is gone) is redone with everything after it; a finished distribution is left alone", async () => {
    const plan = oneDistro();
    const first = await execute(plan, new FakeRunner({ "debian-12:test": { fail: "checks failed" } }));
    const runner = new FakeRunner({}, new Set(["debian-12:boot"]));
    const restored = await restoreFinished(plan, { ...first.status, status: "interrupted" }, runner);
    expect([...restored.states.keys()]).toEqual(["debian-12:install", "debian-12:archive"]);
    const finishedRun = await execute(plan, new FakeRunner());
    expect((await restoreFinished(plan, finishedRun.status, runner)).states.size).toBe(plan.tasks.length - 1);
  });
});
