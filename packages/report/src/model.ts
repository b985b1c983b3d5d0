import { z } from "zod";

export const PhaseNames = ["media", "install", "archive", "boot", "deploy", "test", "collect"] as const;

export const PhaseResultSchema = z.object({
  phase: z.enum(PhaseNames),
  status: z.enum(["done", "failed", "skipped", "timed-out", "interrupted", "not-run"]),
  durationMs: z.number().nonnegative().optional(),
  message: z.string().optional(),
  /** Run-directory-relative path of the log that backs this verdict. */
  evidence: z.string().optional(),
});

export const CheckResultSchema = z.object({
  id: z.string(),
  component: z.string(),
  status: z.enum(["pass", "fail", "skip", "error"]),
  durationMs: z.number().nonnegative(),
  message: z.string(),
  /** The wire transcript (or command output) that shows the verdict. */
  evidence: z.string().default(""),
});

export const DistributionResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  phases: z.array(PhaseResultSchema),
  checks: z.array(CheckResultSchema).default([]),
  /** Run-directory-relative path of the diagnostics, when collected. */
  diagnostics: z.string().optional(),
});

/** report.json: versioned; renderers and `compare` read only this. */
export const ReportSchema = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(["passed", "failed", "interrupted", "running"]),
  host: z.object({ accel: z.enum(["kvm", "tcg"]), cpus: z.number(), memoryMiB: z.number() }).optional(),
  distributions: z.array(DistributionResultSchema),
});

export type PhaseResult = z.infer<typeof PhaseResultSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type DistributionResult = z.infer<typeof DistributionResultSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type ReportInput = z.input<typeof ReportSchema>;

export type Verdict = "passed" | "failed" | "not-run";

/**
 * Pure: a distribution's verdict. Passed only with evidence: every phase done, at least one
 * check, every check passed or skipped. Nothing ran: not run, never passed.
 */
export function verdictOf(distribution: DistributionResult): Verdict {
  const ran = distribution.phases.some((p) => p.status !== "not-run" && p.status !== "skipped");
  if (!ran) return "not-run";
  const phasesDone = distribution.phases.length > 0 && distribution.phases.every((p) => p.status === "done");
  const checksPass = distribution.checks.length > 0 && distribution.checks.every((c) => c.status === "pass" || c.status === "skip");
  return phasesDone && checksPass ? "passed" : "failed";
}

export function checkCounts(distribution: DistributionResult): { passed: number; failed: number; skipped: number; total: number } {
  const count = (...statuses: CheckResult["status"][]) => distribution.checks.filter((c) => statuses.includes(c.status)).length;
  return { passed: count("pass"), failed: count("fail", "error"), skipped: count("skip"), total: distribution.checks.length };
}

export const seconds = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
