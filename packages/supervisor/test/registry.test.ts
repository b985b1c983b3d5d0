import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive, readProcStat } from "@msf/core";
import { acquireLock, classifyRecord, type ProcessRecord, ProcessRegistry, run, start } from "@msf/supervisor";
import { makeTempDir, startNodeScript, waitForExit } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);
let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

function record(overrides: Partial<ProcessRecord>): ProcessRecord {
  return { name: "x", pid: 1, startTicks: 1, startedAt: 0, command: ["x"], timeoutMs: 1000, graceMs: 100, logs: {}, owner: null, meta: {}, ...overrides };
}

describe("classifyRecord", () => {
  const alive = new Map([
    [10, 100],
    [20, 200],
  ]);
  const isAlive = (pid: number, ticks: number) => alive.get(pid) === ticks;

  it("clears records whose process is gone or whose pid was reused", () => {
    expect(classifyRecord(record({ pid: 30, startTicks: 1 }), isAlive)).toBe("gone");
    expect(classifyRecord(record({ pid: 10, startTicks: 99 }), isAlive)).toBe("gone");
  });
  it("tells running from orphaned by the owner's identity", () => {
    expect(classifyRecord(record({ pid: 10, startTicks: 100, owner: { pid: 20, startTicks: 200 } }), isAlive)).toBe("running");
    expect(classifyRecord(record({ pid: 10, startTicks: 100, owner: { pid: 20, startTicks: 201 } }), isAlive)).toBe("orphaned");
    expect(classifyRecord(record({ pid: 10, startTicks: 100, owner: null }), isAlive)).toBe("running");
  });
});

describe("ProcessRegistry", () => {
  it("records a supervised process while it runs and forgets it after it exits", async () => {
    temp = makeTempDir();
    const registry = new ProcessRegistry(temp.path);
    const child = await start({ name: "vm:test", command: "sleep", args: ["30"], timeoutMs: 60_000, registry });
    const [view] = await registry.list();
    expect(view?.record).toMatchObject({ name: "vm:test", pid: child.pid, command: ["sleep", "30"], timeoutMs: 60_000 });
    expect(view?.record.startTicks).toBe(readProcStat(child.pid)?.startTicks);
    expect(view?.state).toBe("running");
    child.kill();
    await child.result;
    expect(await registry.list()).toEqual([]);
  });

  it("recovers after the owner was SIGKILLed: reports the orphan, ends it, clears dead and reused records", async () => {
    temp = makeTempDir();
    const registry = new ProcessRegistry(temp.path);
    const owner = await startNodeScript(fixture("owner.ts"), [temp.path, "orphan-to-be"], "ready");
    owner.kill("SIGKILL");
    await waitForExit(owner);
    // A record of a process that is gone, and one whose pid now belongs to another process.
    await registry.add(record({ name: "dead", pid: 999_999, startTicks: 5 }));
    await registry.add(record({ name: "reused", pid: process.pid, startTicks: 1 }));

    const report = await registry.recover();
    expect(report.cleared.map((r) => r.name).sort()).toEqual(["dead", "reused"]);
    expect(report.orphans.map((r) => r.name)).toEqual(["orphan-to-be"]);
    const orphan = report.orphans[0] as ProcessRecord;
    expect(isProcessAlive(orphan.pid, orphan.startTicks)).toBe(true);

    expect(await registry.end(orphan, 1_000)).toEqual({ wasRunning: true, forced: false });
    expect(isProcessAlive(orphan.pid)).toBe(false);
    expect(await registry.list()).toEqual([]);
  });

  it("is not corrupted by two msf processes writing at once", async () => {
    temp = makeTempDir();
    const writers = await Promise.all(
      ["a", "b"].map((prefix) => startNodeScript(fixture("registry-writer.ts"), [temp?.path as string, prefix, "40"], "ready")),
    );
    await Promise.all(writers.map(waitForExit));
    expect(writers.map((w) => w.exitCode)).toEqual([0, 0]);
    const files = readdirSync(temp.path).filter((name) => !name.startsWith("."));
    expect(files).toHaveLength(40); // each wrote 40 and removed the even half
    const views = await new ProcessRegistry(temp.path).list();
    expect(views.map((v) => v.record.name).sort()).toEqual(["a", "b"].flatMap((p) => Array.from({ length: 20 }, (_, i) => `${p}-${2 * i + 1}`)).sort());
  });
});

describe("records of quick processes", () => {
  it("are gone once their results are in, however fast the process ended", async () => {
    temp = makeTempDir();
    const registry = new ProcessRegistry(join(temp.path, "pids"));
    await Promise.all(Array.from({ length: 30 }, (_, i) => run({ name: `quick-${i}`, command: "true", timeoutMs: 10_000, registry })));
    expect((await registry.list()).map((view) => view.record.name)).toEqual([]);
  });
});

describe("acquireLock", () => {
  it("is exclusive, and free again the moment its holder dies", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "run.lock");
    const holder = await startNodeScript(fixture("lock-holder.ts"), [path], "locked");
    await expect(acquireLock(path, { timeoutMs: 0 })).rejects.toMatchObject({ code: "ERR_MSF_LOCKED" });
    const waiting = acquireLock(path, { timeoutMs: 10_000 });
    holder.kill("SIGKILL");
    const lock = await waiting;
    await expect(acquireLock(path, { timeoutMs: 0 })).rejects.toMatchObject({ code: "ERR_MSF_LOCKED" });
    await lock.release();
    await (await acquireLock(path, { timeoutMs: 0 })).release();
  });
});
