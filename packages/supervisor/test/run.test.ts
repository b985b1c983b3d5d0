import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive, processGroupMembers } from "@msf/core";
import { endTree, exec, ProcessError, run, type SupervisorEvent } from "@msf/supervisor";
import { makeTempDir, startNodeScript } from "@msf/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

describe("run", () => {
  it("captures output, writes log files and emits started/output/exited", async () => {
    temp = makeTempDir();
    const events: SupervisorEvent[] = [];
    const result = await run({
      name: "echoer",
      command: "sh",
      args: ["-c", "echo one; echo two >&2; printf three"],
      timeoutMs: 10_000,
      logDir: temp.path,
      onEvent: (event) => events.push(event),
    });
    expect(result).toMatchObject({ exitCode: 0, failed: false, timedOut: false, stdout: "one\nthree", stderr: "two\n" });
    expect(readFileSync(join(temp.path, "echoer.stdout.log"), "utf8")).toBe("one\nthree");
    expect(readFileSync(join(temp.path, "echoer.stderr.log"), "utf8")).toBe("two\n");
    expect(events.map((e) => e.type)).toEqual(["started", "output", "output", "output", "exited"]);
    const lines = events.flatMap((e) => (e.type === "output" ? [`${e.stream}:${e.line}`] : []));
    expect(lines.sort()).toEqual(["stderr:two", "stdout:one", "stdout:three"]);
  });

  it("passes on output that never ends its line in bounded pieces", async () => {
    const lines: string[] = [];
    const result = await run({
      name: "no-newline",
      command: "sh",
      args: ["-c", "head -c 1000000 /dev/zero | tr '\\0' x"],
      timeoutMs: 10_000,
      maxBufferChars: 100,
      onEvent: (event) => event.type === "output" && lines.push(event.line),
    });
    expect(result.exitCode).toBe(0);
    expect(lines.join("").length).toBe(1_000_000);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(2 * 64 * 1024);
    expect(result.stdout).toMatch(/^x{100}\n\[output truncated\]$/);
  });

  it("passes input on stdin", async () => {
    const result = await run({ name: "cat", command: "cat", timeoutMs: 10_000, input: "hello" });
    expect(result.stdout).toBe("hello");
  });

  it("kills a child that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const events: SupervisorEvent[] = [];
    const result = await run({
      name: "stubborn",
      command: "sh",
      args: ["-c", "trap '' TERM; echo armed; while :; do sleep 1; done"],
      timeoutMs: 1_000,
      graceMs: 500,
      onEvent: (event) => events.push(event),
    });
    expect(result.timedOut).toBe(true);
    expect(result.isForcefullyTerminated).toBe(true);
    expect(result.failed).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    const kills = events.flatMap((e) => (e.type === "killed" ? [e.signal] : []));
    expect(kills).toEqual(["SIGTERM", "SIGKILL"]);
    expect(events.some((e) => e.type === "timed-out")).toBe(true);
    expect(processGroupMembers(result.pid)).toEqual([]);
  });

  it("ends a well-behaved child with SIGTERM alone", async () => {
    const result = await run({ name: "sleeper", command: "sleep", args: ["60"], timeoutMs: 500, graceMs: 5_000 });
    expect(result.timedOut).toBe(true);
    expect(result.isForcefullyTerminated).toBe(false);
  });

  it("leaves no grandchild behind, even one that left the process group", async () => {
    const result = await run({
      name: "spawner",
      command: "sh",
      args: ["-c", "sleep 300 & echo $!; setsid sleep 301 & echo $!; wait"],
      timeoutMs: 1_500,
      graceMs: 500,
    });
    const pids = result.stdout.trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    expect(processGroupMembers(result.pid)).toEqual([]);
  });

  it("ends background grandchildren when the leader exits normally", async () => {
    const result = await run({ name: "daemonizer", command: "sh", args: ["-c", "sleep 300 >/dev/null 2>&1 & echo $!"], timeoutMs: 10_000, graceMs: 500 });
    expect(result.exitCode).toBe(0);
    expect(isProcessAlive(Number(result.stdout.trim()))).toBe(false);
  });

  it("kills a grandchild that ignores SIGTERM after the leader exited normally", async () => {
    const script = "(trap '' TERM; exec sleep 300) >/dev/null 2>&1 & echo $!";
    const result = await run({ name: "stubborn", command: "sh", args: ["-c", script], timeoutMs: 10_000, graceMs: 300 });
    expect(result.exitCode).toBe(0);
    expect(isProcessAlive(Number(result.stdout.trim()))).toBe(false);
    expect(processGroupMembers(result.pid)).toEqual([]);
  });

  it("does not hang on a daemon that left the group and kept the output pipe", async () => {
    const result = await run({ name: "escapee", command: "sh", args: ["-c", "setsid sleep 300 & echo $!"], timeoutMs: 10_000, graceMs: 200 });
    expect(result.exitCode).toBe(0);
    process.kill(Number(result.stdout.trim()), "SIGKILL"); // out of reach once its parent exited: the test cleans up
  });

  it("cancels on abort", async () => {
    const controller = new AbortController();
    const pending = run({ name: "abortable", command: "sleep", args: ["60"], timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    expect(result).toMatchObject({ isCanceled: true, timedOut: false, failed: true });
  });

  it("exec throws a ProcessError naming the command and the last output lines", async () => {
    const error = await exec({ name: "failing", command: "sh", args: ["-c", "echo boom >&2; exit 3"], timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as ProcessError).code).toBe("ERR_MSF_PROCESS_FAILED");
    expect((error as ProcessError).message).toContain("exited with code 3");
    expect((error as ProcessError).message).toContain("boom");
  });

  it("fails clearly when the command is not installed", async () => {
    const error = await run({ name: "ghost", command: "msf-no-such-tool", timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_HOST_TOOL_MISSING" });
    expect(String(error)).toContain("msf-no-such-tool");
  });

  it("a detached process outlives the msf that started it (which exits at once) and keeps writing its log files", async () => {
    temp = makeTempDir();
    // The starter must not hold the daemon's output: `msf vm up` returns while its VM runs on.
    const starter = spawn(process.execPath, ["--conditions=msf-source", join(import.meta.dirname, "fixtures/daemon-starter.ts"), temp.path], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    starter.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => starter.once("close", resolve));
    expect(code).toBe(0);
    const [, pid, startTicks] = out.trim().split(" ").map(Number) as [number, number, number];
    try {
      expect(isProcessAlive(pid, startTicks)).toBe(true);
      const log = join(temp.path, "daemon.stdout.log");
      await vi.waitFor(() => expect(readFileSync(log, "utf8")).toBe("up\nstill-up\n"), { timeout: 10_000, interval: 100 });
      expect(isProcessAlive(pid, startTicks)).toBe(true);
    } finally {
      await endTree(pid, 1_000);
    }
    expect(isProcessAlive(pid)).toBe(false);
  });

  it("a detached process that ends with its parent is gone, with its whole group, once the parent is SIGKILLed", async () => {
    temp = makeTempDir();
    const starter = await startNodeScript(join(import.meta.dirname, "fixtures/daemon-starter.ts"), [temp.path, "ends-with-parent"], "started");
    const group = Number(readFileSync(join(temp.path, "pid"), "utf8"));
    await vi.waitFor(() => expect(readFileSync(join(temp?.path ?? "", "daemon.stdout.log"), "utf8")).toBe("up\n"), { timeout: 10_000, interval: 50 });
    expect(processGroupMembers(group).length).toBeGreaterThanOrEqual(2); // the backstop, sh and its sleep
    starter.kill("SIGKILL");
    await vi.waitFor(() => expect(processGroupMembers(group)).toEqual([]), { timeout: 10_000, interval: 100 });
  });
});
