import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  createLogger,
  hedge,
  type LogRecord,
  levelFor,
  MsfError,
  readJsonIfExists,
  resolveMsfPaths,
  sha256File,
  writeFileAtomic,
  writeJsonAtomic,
} from "@msf/core";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

describe("logger", () => {
  it("filters by MSF_LOG_LEVEL and per-component MSF_LOG_LEVEL_<COMPONENT>", () => {
    const records: LogRecord[] = [];
    const root = createLogger({ sink: (r) => records.push(r), env: { MSF_LOG_LEVEL: "warn", MSF_LOG_LEVEL_QEMU: "debug" } });
    root.info("hidden");
    root.warn("shown");
    root.child("qemu").child("qmp").debug("qmp detail");
    root.child("supervisor").debug("hidden too");
    expect(records.map((r) => `${r.component}:${r.level}:${r.msg}`)).toEqual(["msf:warn:shown", "qemu.qmp:debug:qmp detail"]);
    expect(levelFor("qemu.qmp", { MSF_LOG_LEVEL_QEMU_QMP: "error", MSF_LOG_LEVEL_QEMU: "debug" })).toBe("error");
  });

  it("never writes secrets: registered values and secret-looking keys are redacted", () => {
    const records: LogRecord[] = [];
    const log = createLogger({ sink: (r) => records.push(r), env: {} });
    log.addSecret("hunter2-very-secret");
    log
      .child("deploy")
      .info("login with hunter2-very-secret", { password: "s3cr3t-value", argv: ["doveadm", "pw", "-p", "hunter2-very-secret"], user: "postmaster" });
    const line = JSON.stringify(records);
    expect(line).not.toContain("hunter2");
    expect(line).not.toContain("s3cr3t-value");
    expect(records[0]).toMatchObject({ password: "[redacted]", user: "postmaster", msg: "login with [redacted]" });
  });

  it("masks secrets of any length, in log lines and in whatever else leaves the process, and keeps fields that only look alike", () => {
    const records: LogRecord[] = [];
    const log = createLogger({ sink: (r) => records.push(r), env: {} });
    log.addSecret("pw7");
    log.info("AUTH with pw7", { passed: 20 });
    expect(records[0]).toMatchObject({ msg: "AUTH with [redacted]", passed: 20 });
    expect(log.redact({ message: "check failed: 535 for pw7", outputs: { passed: 3, privateKey: "k" } })).toEqual({
      message: "check failed: 535 for [redacted]",
      outputs: { passed: 3, privateKey: "[redacted]" },
    });
  });

  it("drops everything without a sink (libraries never print)", () => {
    expect(createLogger({ env: { MSF_LOG_LEVEL: "trace" } }).enabled("error")).toBe(false);
  });
});

describe("paths", () => {
  it("keeps caches per user and state per working directory", () => {
    const paths = resolveMsfPaths({ env: { XDG_CACHE_HOME: "/home/u/.cache" }, cwd: "/work/project" });
    expect(paths).toMatchObject({
      cache: "/home/u/.cache/msf",
      state: "/work/project/.msf",
      images: "/home/u/.cache/msf/images",
      pids: "/work/project/.msf/pids",
    });
  });

  it("puts both under MSF_HOME, and MSF_CACHE moves the cache alone", () => {
    expect(resolveMsfPaths({ env: { MSF_HOME: "/tmp/h" }, cwd: "/" })).toMatchObject({ cache: "/tmp/h/cache", state: "/tmp/h", runs: "/tmp/h/runs" });
    expect(resolveMsfPaths({ env: { MSF_HOME: "rel", MSF_CACHE: "/c" }, cwd: "/w" })).toMatchObject({ cache: "/c", state: "/w/rel" });
  });
});

describe("atomic files", () => {
  it("writes through a temporary name, with the mode asked for, and leaves no temporary behind", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "deep", "key");
    await writeFileAtomic(path, "secret", 0o600);
    expect(readFileSync(path, "utf8")).toBe("secret");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await writeJsonAtomic(path, { a: 1 });
    expect(await readJsonIfExists(path)).toEqual({ a: 1 });
    expect(readdirSync(join(temp.path, "deep"))).toEqual(["key"]);
    expect(await readJsonIfExists(join(temp.path, "missing.json"))).toBeUndefined();
    expect(await sha256File(path)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("MsfError", () => {
  it("carries a stable code, a hint and plain details for --json", () => {
    const error = new MsfError("ERR_MSF_NOT_FOUND", "no VM named x", { hint: "msf vm list", details: { name: "x" } });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: "ERR_MSF_NOT_FOUND", message: "no VM named x", hint: "msf vm list", details: { name: "x" } });
  });
});

describe("hedge", () => {
  it("lets a fresh attempt win over a stalled one, and disposes of late winners", async () => {
    const disposed: string[] = [];
    const started: number[] = [];
    const result = await hedge(
      (decided, index) => {
        started.push(index);
        // #0 stalls past the race and then succeeds late; #1 succeeds quickly.
        const ms = index === 0 ? 150 : 10;
        return new Promise<string>((resolve) => setTimeout(() => resolve(`attempt ${index}${decided.aborted ? " (late)" : ""}`), ms));
      },
      { intervalMs: 20, maxPending: 2, what: "test", dispose: (value) => disposed.push(value) },
    );
    expect(result).toMatchObject({ value: "attempt 1", attempts: 2, failures: [] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(disposed).toEqual(["attempt 0 (late)"]);
    expect(started).toEqual([0, 1]);
  });

  it("keeps trying after failures, one at a time with maxPending 1, and reports them", async () => {
    let calls = 0;
    const result = await hedge(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`refused ${calls}`);
        return "in";
      },
      { intervalMs: 5, maxPending: 1, what: "test" },
    );
    expect(result).toEqual({ value: "in", attempts: 3, failures: ["#1: refused 1", "#2: refused 2"] });
  });

  it("stops on abort with the last failure in the message", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await hedge(async () => Promise.reject(new Error("connection refused")), {
      intervalMs: 5,
      maxPending: 1,
      what: "dialling",
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_ABORTED" });
    expect(String((error as Error).message)).toMatch(/dialling \(\d+ attempts; last: #\d+: connection refused\)/);
  });
});
