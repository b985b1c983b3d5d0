import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { readProcStat } from "@msf/core";
import { execa, type Options, type ResultPromise } from "execa";
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
   * Detached from msf's output and deadline, yet ended when this process dies, SIGKILL included (a
   * queue worker's VMs: nobody else would end them). The kernel's parent-death signal, set by
   * util-linux `setpriv` in front of the backstop, which passes the SIGTERM on to the command.
   */
  endsWithParent?: boolean;
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
  // Our deadline fires first; the backstop only matters when msf is gone.
  const backstopMs = detached ? options.timeoutMs : options.timeoutMs + graceMs + 5_000;
  const interactive = options.interactive ?? false;
  const backstop = backstopArgv(options.command, options.args ?? [], backstopMs, graceMs, interactive);
  const [file, ...argv] = options.endsWithParent ? ["setpriv", "--pdeathsig", "TERM", ...backstop] : backstop;
  const logs = logPaths(options);
  const env = { ...process.env, ...options.env };
  requireExecutable(options.command, env);
  const startedAt = Date.now();
  const piped = !interactive && !detached;
  // execa: the deadline, the cancel signal, SIGTERM then SIGKILL after the grace period, to the whole
  // process group (its own, so one signal reaches the tree); the result in execa's terms.
  const execaOptions: Options = {
    cwd: options.cwd,
    env,
    extendEnv: false,
    stdin: piped ? "pipe" : interactive ? "inherit" : "ignore",
    stdout: interactive ? "inherit" : detached ? logFd(logs.stdout) : "pipe",
    stderr: interactive ? "inherit" : detached ? logFd(logs.stderr) : "pipe",
    ...(piped ? { input: options.input ?? "" } : {}),
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    detached: !interactive, // interactive: it shares the terminal's process group
    killDescendants: !interactive,
    cleanup: !detached,
    timeout: detached ? undefined : options.timeoutMs, // a VM left up: its backstop alone ends it
    cancelSignal: options.signal,
    forceKillAfterDelay: graceMs,
  };
  // Registered before execa's own timer and abort listener, so the strays are found while their parent still lives.
  const guard = treeGuard(options, graceMs);
  const child = execa(file as string, argv, execaOptions);
  // The child has its own copies of the log descriptors (spawn is synchronous); ours would only keep msf alive.
  for (const fd of [execaOptions.stdout, execaOptions.stderr]) if (typeof fd === "number") closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) {
    guard.stop();
    return failedToSpawn(child, options);
  }
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
  // A quick process may end before its record is written: its removal waits for the write.
  const registered = options.registry?.add(record) ?? Promise.resolve();
  const supervised = watch(child, record, options, guard.attach(record), registered);
  await registered;
  options.onEvent?.({ type: "started", name: record.name, pid, command: record.command, timeoutMs: options.timeoutMs, at: startedAt });
  if (detached) child.nodeChildProcess.unref();
  return supervised;
}

/** Starts a process and waits for it; the result says how it ended (it does not throw on failure). */
export async function run(options: StartOptions): Promise<RunResult> {
  return (await start(options)).result;
}

/**
 * msf on top of execa: descendants that left the process group (a daemon's setsid) get the same
 * signals at the same moments; when the leader exits, whatever is left of its tree is ended; output
 * is collected (bounded) and logged; the registry record goes last. Events say when and why.
 */
function watch(child: ResultPromise, record: ProcessRecord, options: StartOptions, guard: AttachedGuard, registered: Promise<void>): Supervised {
  const { name, pid } = record;
  const emit = options.onEvent ?? (() => {});
  const maxChars = options.maxBufferChars ?? 10_000_000;
  const graceMs = record.graceMs;
  let supervised!: Supervised; // set below, once its result promise exists

  const stdout = collect(child.stdout, record.logs.stdout, maxChars, (line) => emit({ type: "output", name, pid, stream: "stdout", line }));
  const stderr = collect(child.stderr, record.logs.stderr, maxChars, (line) => emit({ type: "output", name, pid, stream: "stderr", line }));

  child.nodeChildProcess.once("exit", async () => {
    guard.exited();
    // Nothing is left running: grandchildren that outlived the leader go with it.
    if (treeAlive(pid, false)) guard.end("request");
    // A daemon that left the group may still hold our pipes: wait for them only so long.
    await Promise.race([Promise.all([stdout.closed, stderr.closed]), delay(graceMs + 2_000, undefined, { ref: false })]);
    child.stdout?.destroy();
    child.stderr?.destroy();
  });

  const result = (async (): Promise<RunResult> => {
    const outcome = await child;
    await Promise.all([stdout.closed, stderr.closed]);
    // Settle only once the group is gone (SIGKILL follows after the grace period).
    await waitUntil(() => !treeAlive(pid, false), graceMs + 5_000);
    guard.stop();
    active.delete(supervised);
    await registered.catch(() => {});
    await options.registry?.remove(record).catch(() => {});
    const exitCode = outcome.exitCode ?? null;
    const signal = (outcome.signal ?? null) as NodeJS.Signals | null;
    const timedOut = outcome.timedOut || guard.reason() === "timeout";
    const isCanceled = outcome.isCanceled || guard.reason() === "abort";
    emit({ type: "exited", name, pid, exitCode, signal, durationMs: outcome.durationMs, at: Date.now() });
    return {
      name,
      pid,
      command: record.command,
      exitCode,
      signal,
      timedOut,
      isCanceled,
      isForcefullyTerminated: outcome.isForcefullyTerminated || guard.forced(),
      failed: exitCode !== 0 || timedOut || isCanceled,
      durationMs: outcome.durationMs,
      stdout: stdout.collector.text,
      stderr: stderr.collector.text,
      logs: record.logs,
    };
  })();

  supervised = { pid, record, result, kill: (reason = "request") => guard.end(reason) };
  if (!options.detached) active.add(supervised);
  return supervised;
}

interface AttachedGuard {
  end(reason: KillReason): void;
  exited(): void;
  /** Why msf ended it, if it did: its deadline fires a moment before execa's, so execa may see a plain exit. */
  reason(): KillReason | undefined;
  forced(): boolean;
  stop(): void;
}

/**
 * What execa does not: descendants that left the process group (a daemon's setsid) get the same
 * SIGTERM and, after the grace period, SIGKILL; after the leader exited, whatever is left of its
 * group is ended. Its deadline timer and abort listener are registered before execa's, so they
 * fire first, while the strays' parent still lives to find them by. Events say when and why.
 */
function treeGuard(options: StartOptions, graceMs: number) {
  let record: ProcessRecord | undefined;
  let exited = false;
  let forced = false;
  let killTimer: NodeJS.Timeout | undefined;
  let endedFor: KillReason | undefined;
  const emit = (event: SupervisorEvent) => options.onEvent?.(event);
  const end = (reason: KillReason) => {
    if (killTimer || !record) return;
    endedFor = reason;
    const { name, pid } = record;
    emit({ type: "killed", name, pid, signal: "SIGTERM", reason, at: Date.now() });
    signalTree(pid, "SIGTERM", !exited);
    killTimer = setTimeout(() => {
      if (exited && !treeAlive(pid, false)) return;
      forced = true;
      emit({ type: "killed", name, pid, signal: "SIGKILL", reason, at: Date.now() });
      signalTree(pid, "SIGKILL", !exited);
    }, graceMs);
  };
  const deadline = options.detached
    ? undefined
    : setTimeout(() => {
        if (record) emit({ type: "timed-out", name: record.name, pid: record.pid, timeoutMs: options.timeoutMs, at: Date.now() });
        end("timeout");
      }, options.timeoutMs);
  const onAbort = () => end("abort");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const stop = () => {
    clearTimeout(deadline);
    clearTimeout(killTimer);
    options.signal?.removeEventListener("abort", onAbort);
  };
  return {
    stop,
    attach(started: ProcessRecord): AttachedGuard {
      record = started;
      if (options.signal?.aborted) end("abort");
      return {
        end,
        reason: () => endedFor,
        forced: () => forced,
        stop,
        exited: () => {
          exited = true;
          clearTimeout(deadline);
          options.signal?.removeEventListener("abort", onAbort);
        },
      };
    },
  };
}

function collect(stream: Readable | null, logPath: string | undefined, maxChars: number, onLine: (line: string) => void) {
  const collector = new OutputCollector(maxChars, onLine);
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

/**
 * A detached process writes straight to its log files (appended), or nowhere. A descriptor, not
 * execa's `{ file }`: that pipes through this process, which then could not exit before the child
 * (and the child's writes would fail once it had).
 */
function logFd(path: string | undefined): LogFd | "ignore" {
  return path ? (openSync(path, "a", 0o600) as LogFd) : "ignore";
}
/** execa's types list descriptors up to 9 only; it hands any number to spawn as it is. */
type LogFd = Extract<Options["stdout"], number>;

async function failedToSpawn(child: ResultPromise, options: StartOptions): Promise<never> {
  const outcome = await child;
  throw Object.assign(new Error(`cannot start ${options.command}: ${outcome.message}`), { command: options.command, cause: outcome.cause });
}
