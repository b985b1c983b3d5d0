import { z } from "zod";

export const ProcessRecordSchema = z.object({
  name: z.string().min(1),
  pid: z.number().int().positive(),
  /** With pid, tells this process from a later one that reused the pid. */
  startTicks: z.number().int().nonnegative(),
  startedAt: z.number(),
  command: z.array(z.string()),
  timeoutMs: z.number().positive(),
  graceMs: z.number().nonnegative(),
  logs: z.object({ stdout: z.string().optional(), stderr: z.string().optional() }),
  /** The msf process that watches this one; null for a detached process (a VM left running). */
  owner: z.object({ pid: z.number().int(), startTicks: z.number().int() }).nullable(),
  meta: z.record(z.string(), z.string()).default({}),
});
export type ProcessRecord = z.infer<typeof ProcessRecordSchema>;

export type KillReason = "timeout" | "abort" | "request";

export type SupervisorEvent =
  | { type: "started"; name: string; pid: number; command: string[]; timeoutMs: number; at: number }
  | { type: "output"; name: string; pid: number; stream: "stdout" | "stderr"; line: string }
  | { type: "timed-out"; name: string; pid: number; timeoutMs: number; at: number }
  | { type: "killed"; name: string; pid: number; signal: NodeJS.Signals; reason: KillReason; at: number }
  | { type: "exited"; name: string; pid: number; exitCode: number | null; signal: NodeJS.Signals | null; durationMs: number; at: number };

/** What became of a process, in execa's terms. */
export interface RunResult {
  name: string;
  pid: number;
  command: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  isCanceled: boolean;
  /** SIGTERM was not enough: SIGKILL ended it. */
  isForcefullyTerminated: boolean;
  failed: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  logs: { stdout?: string; stderr?: string };
}
