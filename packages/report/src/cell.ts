import { type DistributionResult, verdictOf } from "./model.ts";

/** How a distribution's cell looks: a product failure, an infrastructure failure and not-run each differ. */
export type CellKind = "passed" | "product" | "infrastructure" | "partial" | "not-run";

/** Phases that fail for reasons outside the mail stack: media, the installer, the archive, the boot. */
export const INFRASTRUCTURE_PHASES: ReadonlySet<string> = new Set(["media", "install", "archive", "boot"]);

/** Pure: the cell's kind; a timeout anywhere, or a failure before the stack was deployed, is the infrastructure's. */
export function cellKind(distribution: DistributionResult): CellKind {
  const verdict = verdictOf(distribution);
  if (verdict === "passed" || verdict === "partial" || verdict === "not-run") return verdict;
  const broken = distribution.phases.filter((p) => p.status === "failed" || p.status === "timed-out" || p.status === "interrupted");
  return broken.some((p) => p.status === "timed-out" || INFRASTRUCTURE_PHASES.has(p.phase)) ? "infrastructure" : "product";
}

export const CELL_LABEL: Record<CellKind, string> = {
  passed: "passed",
  product: "failed (product)",
  infrastructure: "failed (infrastructure)",
  partial: "partial",
  "not-run": "not run",
};
