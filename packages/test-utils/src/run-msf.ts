import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

/** The msf command of this checkout (node runs it). */
export const MSF_BIN = fileURLToPath(new URL("../../../apps/cli/bin/msf.js", import.meta.url));

export interface MsfRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (for --json runs). */
  lines: Array<Record<string, unknown>>;
  /** The last JSON line: the result (or the error). */
  last: Record<string, unknown> | undefined;
}

/** A finished msf's result; with --json, its stdout read as JSON lines. */
export function msfRunOf(args: string[], code: number | null, stdout: string, stderr: string): MsfRun {
  const lines = args.includes("--json")
    ? stdout
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    : [];
  return { code, stdout, stderr, lines, last: lines.at(-1) };
}

/** Runs the real `msf` command as a separate process, the way a user does. */
export function runMsf(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<MsfRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MSF_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`msf ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve(msfRunOf(args, code, stdout, stderr));
    });
  });
}

export interface StartedMsf {
  child: ChildProcessByStdio<null, Readable, null>;
  /** Every JSON line printed so far. */
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line (already printed or still to come) that matches; rejects if msf ends first. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts the real `msf` with --json output and follows its JSON lines while it runs (stderr passes through). */
export function startMsf(args: string[], env: NodeJS.ProcessEnv): StartedMsf {
  const child = spawn(process.execPath, [MSF_BIN, ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (const line of buffer.split("\n").slice(0, -1)) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    for (const wake of waiters.splice(0)) wake();
  });
  // "close": the exit code once all output has been read.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const waitFor = (match: (line: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found) return resolve(found);
        waiters.push(check);
      };
      check();
      void exited.then((code) => {
        const tail = lines.slice(-8).map((line) => JSON.stringify(line).slice(0, 400));
        reject(new Error(`msf ${args.join(" ")} ended (exit code ${code}) before the awaited line; its last lines:\n${tail.join("\n")}`));
      });
    });
  return { child, lines, waitFor, exited };
}
