import { join } from "node:path";
import { type ErrorCode, ErrorCodes, MsfError } from "@msf/core";
import { type MsfContext, type Supervised, start } from "@msf/supervisor";
import type { z } from "zod";
import { jsonObject } from "./json-line.ts";
import type { StartRunSchema } from "./schemas.ts";

export type StartRunRequest = z.infer<typeof StartRunSchema>;

/** Starts and cancels runs for the API; the server itself never runs a step. */
export interface RunLauncher {
  /** Resolves with the run's id once it is planned; rejects with msf's own error (ERR_MSF_LOCKED when a run holds the state directory). */
  start(request: StartRunRequest): Promise<{ runId: string }>;
  /** Ctrl-C semantics: the run ends its children and its journal says interrupted. False when this server did not start it or it has ended. */
  cancel(runId: string): boolean;
}

/** Pure: `msf run`'s argv for a request (values are argv items, never a shell's). */
export function runArgs(request: StartRunRequest): string[] {
  return [
    "run",
    "--json",
    ...(request.distros?.length ? ["--distro", request.distros.join(",")] : []),
    ...(request.matrix ? ["--matrix", request.matrix] : []),
    ...(request.phase ? ["--phase", request.phase] : []),
    ...(request.image ? ["--image", request.image] : []),
    ...(request.reason ? ["--reason", request.reason] : []),
  ];
}

/** A run may take hours under emulation; past a day it is stuck and ends. */
const RUN_TIMEOUT_MS = 24 * 3_600_000;
/** How long a cancelled run has to end its VMs before its process group is killed. */
const CANCEL_GRACE_MS = 120_000;
const PLAN_TIMEOUT_MS = 120_000;

/** Runs as the real `msf run` in its own process group (`msf` is the argv that starts msf: node and its bin). */
export function msfRunLauncher(ctx: MsfContext, msf: readonly [string, ...string[]], options: { config?: string; queue?: string } = {}): RunLauncher {
  const running = new Map<string, Supervised>();
  return {
    async start(request) {
      let settle: { resolve: (runId: string) => void; reject: (error: Error) => void } | undefined;
      const planned = new Promise<string>((resolve, reject) => {
        settle = { resolve, reject };
      });
      const child = await start({
        name: "msf-run",
        command: msf[0],
        args: [...msf.slice(1), ...runArgs(request), ...(options.config ? ["--config", options.config] : [])],
        // A queue's URL may hold its password: the environment, never argv.
        env: options.queue ? { ...ctx.env, MSF_QUEUE: options.queue } : ctx.env,
        // The server stopping (Ctrl-C) cancels the runs it started: nothing is left running.
        signal: ctx.signal,
        timeoutMs: RUN_TIMEOUT_MS,
        graceMs: CANCEL_GRACE_MS,
        logDir: join(ctx.paths.state, "logs"),
        registry: ctx.registry,
        onEvent: (event) => {
          if (event.type !== "output" || event.stream !== "stdout") return;
          const line = jsonObject(event.line);
          if (line?.type === "run-planned" && typeof line.runId === "string") settle?.resolve(line.runId);
          if (line?.type === "error")
            settle?.reject(new MsfError(errorCode(line.code), String(line.message ?? "msf run failed"), { hint: line.hint as string | undefined }));
        },
      });
      void child.result.then((result) => settle?.reject(new Error(`msf run ended (exit code ${result.exitCode}) before it planned a run`)));
      const timer = setTimeout(() => settle?.reject(new Error(`msf run planned nothing in ${PLAN_TIMEOUT_MS / 1000} s`)), PLAN_TIMEOUT_MS);
      try {
        const runId = await planned;
        running.set(runId, child);
        void child.result.then(() => running.delete(runId));
        return { runId };
      } catch (error) {
        child.kill("abort");
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(runId) {
      const child = running.get(runId);
      child?.kill("request");
      return child !== undefined;
    },
  };
}

/** msf's own code when the line carries one, else a generic failure. */
function errorCode(code: unknown): ErrorCode {
  return ErrorCodes.includes(code as ErrorCode) ? (code as ErrorCode) : "ERR_MSF_PROCESS_FAILED";
}
