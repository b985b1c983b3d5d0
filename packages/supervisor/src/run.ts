import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { readProcStat } from "@msf/core";
import { backstopArgv } from "./backstop.ts";
import { signalTree, treeAlive, waitUntil } from "./kill.ts";
import { OutputCollector } from "./output.ts";
import type { ProcessRegistry } from "./registry.ts";
import type { KillReason, ProcessRecord, RunResult, SupervisorEvent } from "./types.ts";
import { requireExecutable } from "./which.ts";

export interface StartOptions {
  /** Shown by `msf ps` and used by `msf kill`. */
  name: string;
  command: string;
  args?: readonly string[];
  /** Hard limit: SIGTERM at this point, SIGKILL after `graceMs`. */
  timeoutMs: number;
  graceMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Added to the inherited environment. */
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  /** stdout and stderr also go to `<logDir>/<name>.stdout.log` and `.stderr.log`. */
  logDir?: string;
  registry?: ProcessRegistry;
  onEvent?: (event: SupervisorEvent) => void;
  /**
   * Outlives msf (a VM left running by `msf vm up`): output to the log files only, no owner;
   * its backstop ends it at `timeoutMs`.
   */
  detached?: boolean;
  /**
   * Shares this terminal (an interactive ssh session): stdio inherited, stays in msf's process
   * group so it can read the TTY; ended by pid (and its descendants) rather than by group.
   */
  interactive?: boolean;
  /** Characters of stdout/stderr kept in the result (the log files get everything). */
  maxBufferChars?: number;
  meta?: Record<string, string>;
}

export interface Supervised {
  readonly pid: number;
  readonly record: ProcessRecord;
  /** Settles when the process has exited and its group is gone; never rejects. */
  readonly result: Promise<RunResult>;
  /** SIGTERM to the whole group, SIGKILL after the grace period. */
  kill(reason?: KillReason): void;
}

const DEFAULT_GRACE_MS = 5_000;
const active = new Set<Supervised>();

/** Every process this msf process started and still watches. */
export function activeProcesses(): ReadonlySet<Supervised> {
  return active;
}

/** Node timers hold at most 2^31-1 ms (24.8 days); a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export async function start(options: StartOptions): Promise<Supervised> {
  if (!(options.timeoutMs > 0 && options.timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`timeoutMs of ${options.name} must be between 1 and ${MAX_TIMEOUT_MS}, got ${options.timeoutMs}`);
  }
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const detached = options.detached ?? false;
  // Our own timer fires first; the backstop only matters when msf is gone.
  const backstopMs = detached ? options.timeoutMs : options.timeoutMs + graceMs + 5_000;
  const interactive = options.interactive ?? false;
  const [file, ...argv] = backstopArgv(options.command, options.args ?? [], backstopMs, graceMs, interactive);
  const logs = logPaths(options);
  const env = { ...process.env, ...options.env };
  requireExecutable(options.command, env);
  const startedAt = Date.now();
  const fds = detached ? [openLog(logs.stdout), openLog(logs.stderr)] : [];
  const child = spawn(file as string, argv, {
    cwd: options.cwd,
    env,
    detached: !interactive, // its own process group (setsid), so the whole tree can be signalled at once
    stdio: interactive ? "inherit" : detached ? ["ignore", fds[0] ?? "ignore", fds[1] ?? "ignore"] : ["pipe", "pipe", "pipe"],
  });
  for (const fd of fds) if (typeof fd === "number") closeSync(fd); // the child has its own copies
  const pid = child.pid;
  if (pid === undefined) return failedToSpawn(child, options);
  const self = readProcStat(process.pid);
  const record: ProcessRecord = {
    name: options.name,
    pid,
    startTicks: readProcStat(pid)?.startTicks ?? 0,
    startedAt,
    command: [options.command, ...(options.args ?? [])],
    timeoutMs: options.timeoutMs,
    graceMs,
    logs,
    owner: detached || !self ? null : { pid: process.pid, startTicks: self.startTicks },
    meta: options.meta ?? {},
  };
  const supervised = watch(child, record, options, graceMs);
  await options.registry?.add(record);
  options.onEvent?.({ type: "started", name: record.name, pid, command: record.command, timeoutMs: options.timeoutMs, at: startedAt });
  if (detached) child.unref();
  return supervised;
}

/** Starts a process and waits for it; the result says how it ended (it does not throw on failure). */
export async function run(options: StartOptions): Promise<RunResult> {
  return (await start(options)).result;
}

function watch(child: ChildProcess, record: ProcessRecord, options: StartOptions, graceMs: number): Supervised {
  const { name, pid } = record;
  const emit = options.onEvent ?? (() => {});
  const maxChars = options.maxBufferChars ?? 10_000_000;
  let timedOut = false;
  let isCanceled = false;
  let isForcefullyTerminated = false;
  let killTimer: NodeJS.Timeout | undefined;
  let exited = false; // after exit the pid is reaped: only its group may still be signalled

  const kill = (reason: KillReason = "request") => {
    if (killTimer) return;
    emit({ type: "killed", name, pid, signal: "SIGTERM", reason, at: Date.now() });
    signalTree(pid, "SIGTERM", !exited);
    killTimer = setTimeout(() => {
      if (!treeAlive(pid, !exited)) return;
      isForcefullyTerminated = true;
      emit({ type: "killed", name, pid, signal: "SIGKILL", reason, at: Date.now() });
      signalTree(pid, "SIGKILL", !exited);
    }, graceMs);
  };

  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    emit({ type: "timed-out", name, pid, timeoutMs: options.timeoutMs, at: Date.now() });
    kill("timeout");
  }, options.timeoutMs);
  if (options.detached) timeoutTimer.unref(); // msf may exit first; the backstop enforces it then
  const onAbort = () => {
    isCanceled = true;
    kill("abort");
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const stdout = collect(child, "stdout", record.logs.stdout, maxChars, (line) => emit({ type: "output", name, pid, stream: "stdout", line }));
  const stderr = collect(child, "stderr", record.logs.stderr, maxChars, (line) => emit({ type: "output", name, pid, stream: "stderr", line }));
  if (child.stdin) {
    child.stdin.on("error", () => {}); // a child that exits without reading its input is not an error
    child.stdin.end(options.input);
  }

  const result = new Promise<RunResult>((resolve) => {
    child.once("exit", async (exitCode, signal) => {
      exited = true;
      clearTimeout(timeoutTimer);
      options.signal?.removeEventListener("abort", onAbort);
      const durationMs = Date.now() - record.startedAt;
      // Nothing is left running: grandchildren that outlived the leader go with it.
      if (treeAlive(pid, false)) kill(isCanceled ? "abort" : timedOut ? "timeout" : "request");
      // A daemon that left the group may still hold our pipes: wait for them only so long.
      const drained = Promise.all([stdout.closed, stderr.closed]);
      await Promise.race([drained, delay(graceMs + 2_000, undefined, { ref: false })]);
      child.stdout?.destroy();
      child.stderr?.destroy();
      await drained;
      // Settle only once the group is gone (SIGKILL follows after the grace period).
      await waitUntil(() => !treeAlive(pid, false), graceMs + 5_000);
      clearTimeout(killTimer);
      active.delete(supervised);
      await options.registry?.remove(record).catch(() => {});
      emit({ type: "exited", name, pid, exitCode, signal, durationMs, at: Date.now() });
      resolve({
        name,
        pid,
        command: record.command,
        exitCode,
        signal,
        timedOut,
        isCanceled,
        isForcefullyTerminated,
        failed: exitCode !== 0 || timedOut || isCanceled,
        durationMs,
        stdout: stdout.collector.text,
        stderr: stderr.collector.text,
        logs: record.logs,
      });
    });
  });

  const supervised: Supervised = { pid, record, result, kill };
  if (!options.detached) active.add(supervised);
  return supervised;
}

function collect(child: ChildProcess, streamName: "stdout" | "stderr", logPath: string | undefined, maxChars: number, onLine: (line: string) => void) {
  const collector = new OutputCollector(maxChars, onLine);
  const stream = child[streamName];
  const log: WriteStream | undefined = stream && logPath ? createWriteStream(logPath, { flags: "a" }) : undefined;
  const closed = new Promise<void>((resolve) => {
    if (!stream) return resolve();
    stream.on("data", (chunk: Buffer) => {
      collector.push(chunk);
      log?.write(chunk);
    });
    stream.once("close", () => {
      collector.end();
      if (log) log.end(() => resolve());
      else resolve();
    });
  });
  return { collector, closed };
}

function logPaths(options: StartOptions): ProcessRecord["logs"] {
  if (!options.logDir) return {};
  mkdirSync(options.logDir, { recursive: true });
  const base = options.name.replace(/[^A-Za-z0-9._-]/g, "_");
  return { stdout: join(options.logDir, `${base}.stdout.log`), stderr: join(options.logDir, `${base}.stderr.log`) };
}

function openLog(path: string | undefined): number | "ignore" {
  return path ? openSync(path, "a") : "ignore";
}

function failedToSpawn(child: ChildProcess, options: StartOptions): Promise<never> {
  return new Promise((_, reject) => {
    child.once("error", (error) => reject(Object.assign(error, { command: options.command })));
  });
}
