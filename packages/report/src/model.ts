import { z } from "zod";
import { UpgradeRowSchema } from "./upgrade.ts";

export const PhaseNames = ["media", "install", "archive", "boot", "deploy", "test", "collect", "upgrade"] as const;

export const PhaseResultSchema = z.object({
  phase: z.enum(PhaseNames),
  status: z.enum(["done", "failed", "skipped", "timed-out", "interrupted", "not-run"]),
  durationMs: z.number().nonnegative().optional(),
  message: z.string().optional(),
  /** Run-directory-relative path of the log that backs this verdict. */
  evidence: z.string().optional(),
  /** The queue worker that ran it (a run with --queue). */
  worker: z.string().optional(),
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

/** Where the distribution is in its life on the day of the run (schema 2). */
export const LifecycleSchema = z.object({
  state: z.enum(["supported", "ended", "moving"]),
  endOfLife: z.string().optional(),
  note: z.string(),
});

/** The golden image the run booted and the archive state it was built from (schema 2). */
export const ImageInfoSchema = z.object({
  key: z.string(),
  builtAt: z.string().optional(),
  suites: z.array(z.object({ suite: z.string(), date: z.string(), digest: z.string() })).default([]),
  /** Why it may not be what the archive serves now (offline, an accepted expired Release). */
  stale: z.string().optional(),
  /** It was the pinned last known good image (`--image last-good`). */
  lastGood: z.boolean().optional(),
});

/** The versions that were tested (schema 2): the stack's, and the full list beside the report. */
export const VersionsSchema = z.object({
  /** Read from the running guest, or (when the checks did not get that far) from the image's build. */
  source: z.enum(["guest", "image"]),
  kernelRelease: z.string().optional(),
  stack: z.array(z.object({ component: z.string(), package: z.string().optional(), version: z.string().optional() })),
  packages: z.number().int().nonnegative(),
  /** Report-directory-relative path of every installed package (name, version, architecture). */
  packagesFile: z.string(),
});

export const PackageChangeSchema = z.object({ name: z.string(), from: z.string().optional(), to: z.string().optional() });

/** What changed since the distribution's last passing run (schema 2). */
export const ChangesSchema = z.object({
  baseline: z.object({ runId: z.string(), finishedAt: z.string().optional() }),
  packages: z.array(PackageChangeSchema),
  newlyFailing: z.array(z.string()),
  newlyPassing: z.array(z.string()),
});

export const DistributionResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  phases: z.array(PhaseResultSchema),
  checks: z.array(CheckResultSchema).default([]),
  /** Run-directory-relative path of the diagnostics, when collected. */
  diagnostics: z.string().optional(),
  lifecycle: LifecycleSchema.optional(),
  image: ImageInfoSchema.optional(),
  versions: VersionsSchema.optional(),
  changes: ChangesSchema.optional(),
});

export const REPORT_SCHEMA_VERSION = 2;

/**
 * report.json: versioned; renderers and `compare` read only this. Version 2 added lifecycle, image,
 * versions and changes per distribution (all optional), so a version 1 report reads as it is;
 * `upgrades` came later, optional too.
 */
export const ReportSchema = z.object({
  schemaVersion: z.union([z.literal(1), z.literal(REPORT_SCHEMA_VERSION)]),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(["passed", "failed", "interrupted", "running"]),
  host: z.object({ accel: z.enum(["kvm", "tcg"]), cpus: z.number(), memoryMiB: z.number() }).optional(),
  distributions: z.array(DistributionResultSchema),
  /** Upgrades in place, a row per hop (optional: a run of fresh installs has none). */
  upgrades: z.array(UpgradeRowSchema).optional(),
});

export type PhaseResult = z.infer<typeof PhaseResultSchema>;
export type Versions = z.infer<typeof VersionsSchema>;
export type Changes = z.infer<typeof ChangesSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type DistributionResult = z.infer<typeof DistributionResultSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type ReportInput = z.input<typeof ReportSchema>;

/** Pure: what the report is about: "msf run <id>", or "msf upgrade <id>" for upgrades alone. */
export const reportTitle = (report: Report) => `msf ${report.upgrades?.length && !report.distributions.length ? "upgrade" : "run"} ${report.runId}`;

export type Verdict = "passed" | "failed" | "partial" | "not-run";

/**
 * Pure: a distribution's verdict. Passed only with evidence: every phase done, at least one
 * check, every check passed or skipped. Nothing ran: not run, never passed. A run stopped early
 * on purpose (`--phase install`) with nothing failed is partial: neither a pass (it proves no
 * mail) nor a failure (a comparison must not call it a regression).
 */
export function verdictOf(distribution: DistributionResult): Verdict {
  const { phases, checks } = distribution;
  if (!phases.some((p) => p.status !== "not-run" && p.status !== "skipped")) return "not-run";
  const failed = phases.some((p) => p.status !== "done" && p.status !== "not-run") || checks.some((c) => c.status === "fail" || c.status === "error");
  if (failed) return "failed";
  if (phases.some((p) => p.status === "not-run")) return "partial";
  return checks.length > 0 ? "passed" : "failed";
}

export function checkCounts(distribution: DistributionResult): { passed: number; failed: number; skipped: number; total: number } {
  const count = (...statuses: CheckResult["status"][]) => distribution.checks.filter((c) => statuses.includes(c.status)).length;
  return { passed: count("pass"), failed: count("fail", "error"), skipped: count("skip"), total: distribution.checks.length };
}

export const seconds = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);

/** Pure: the support column of the matrix ("until 2028-06-30", "ended 2026-08-31", "moving target"). */
export function supportLabel(distribution: DistributionResult): string {
  const life = distribution.lifecycle;
  if (!life) return "";
  if (life.state === "moving") return "moving target";
  if (!life.endOfLife) return "supported";
  return life.state === "ended" ? `ended ${life.endOfLife}` : `until ${life.endOfLife}`;
}

/** Pure: one line per stack component, "postfix 3.7.11-0+deb12u1" (the package named when it is not the component). */
export function stackLines(versions: Versions): string[] {
  return versions.stack.map((v) =>
    v.version ? `${v.component}: ${v.package && v.package !== v.component ? `${v.package} ` : ""}${v.version}` : `${v.component}: not installed`,
  );
}

/** Pure: "dovecot-core 2.3.19.1-2+deb12u1 -> 2.3.19.1-2+deb12u2", or "(new)" / "(removed)". */
export function changeLine(change: z.infer<typeof PackageChangeSchema>): string {
  return `${change.name} ${change.from ?? "(new)"} -> ${change.to ?? "(removed)"}`;
}

/** Pure: what the image was built from, for a report's header of a distribution. */
export function imageLine(image: z.infer<typeof ImageInfoSchema>): string {
  const suites = image.suites.map((s) => `${s.suite} ${s.date.slice(0, 10)}`).join(", ");
  return `image ${image.key}${image.lastGood ? " (last known good)" : ""}${suites ? ` from ${suites}` : ""}${image.stale ? ` — ${image.stale}` : ""}`;
}
