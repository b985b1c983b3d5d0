import { formatMs, MsfError } from "@msf/core";
import { lastLines } from "./output.ts";
import { run, type StartOptions } from "./run.ts";
import type { RunResult } from "./types.ts";

/** A supervised command that failed, timed out or was cancelled; carries the whole result. */
export class ProcessError extends MsfError {
  readonly result: RunResult;

  constructor(result: RunResult) {
    const how = result.timedOut
      ? `timed out after ${formatMs(result.durationMs)}`
      : result.isCanceled
        ? "was cancelled"
        : result.signal
          ? `was killed by ${result.signal}`
          : `exited with code ${result.exitCode}`;
    const tail = lastLines(result.stderr || result.stdout, 10);
    const message = [`${result.name} (${result.command.join(" ")}) ${how}`, ...tail.map((line) => `  | ${line}`)].join("\n");
    super(result.timedOut ? "ERR_MSF_TIMEOUT" : result.isCanceled ? "ERR_MSF_ABORTED" : "ERR_MSF_PROCESS_FAILED", message, {
      hint: result.logs.stderr ? `full output: ${result.logs.stderr}` : undefined,
      details: { name: result.name, exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs },
    });
    this.name = "ProcessError";
    this.result = result;
  }
}

/** Runs a command to completion and throws a ProcessError unless it succeeded. */
export async function exec(options: StartOptions): Promise<RunResult> {
  const result = await run(options);
  if (result.failed) throw new ProcessError(result);
  return result;
}
