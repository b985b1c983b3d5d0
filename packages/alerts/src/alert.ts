import { type CheckResult, cellKind, type DistributionResult } from "@msf/report";
import { z } from "zod";

export const ALERT_SCHEMA_VERSION = 1;

/** The alert document: what a JSON webhook receives (versioned), and what the other formats are made from. */
export const AlertSchema = z.object({
  schemaVersion: z.literal(ALERT_SCHEMA_VERSION),
  /** Unique per distribution, run and kind: a redelivery of the same alert has the same id. */
  id: z.string(),
  kind: z.enum(["regression", "fixed", "test"]),
  distro: z.string(),
  name: z.string(),
  runId: z.string(),
  /** The last run where it passed (the baseline of the version diff). */
  lastGoodRunId: z.string().optional(),
  failing: z.array(z.object({ id: z.string(), message: z.string(), transcript: z.string() })),
  packages: z.array(z.object({ name: z.string(), from: z.string().optional(), to: z.string().optional() })),
  links: z.object({ run: z.string().optional(), distro: z.string().optional() }),
});
export type Alert = z.infer<typeof AlertSchema>;

/** A transcript excerpt is its last lines, at most this long. */
const EXCERPT_CHARS = 600;

/** One result of a distribution in a run. */
export interface RunResult {
  runId: string;
  distribution: DistributionResult;
}

const excerpt = (check: CheckResult) => (check.evidence.length > EXCERPT_CHARS ? `…${check.evidence.slice(-EXCERPT_CHARS)}` : check.evidence);

/**
 * Pure: the alert a distribution's newest result calls for, against its previous results (newest
 * first): a product failure after a pass is a regression; a pass after a product failure is its
 * fix. An infrastructure failure (timeout, boot, download) or a partial run neither raises nor
 * clears one: it is skipped when looking back. Still failing, or still passing: no alert.
 */
export function alertFor(current: RunResult, earlier: readonly RunResult[], dashboardUrl?: string): Alert | undefined {
  const kind = cellKind(current.distribution);
  if (kind !== "product" && kind !== "passed") return undefined;
  const previous = earlier.find((r) => ["product", "passed"].includes(cellKind(r.distribution)));
  if (!previous || cellKind(previous.distribution) === kind) return undefined;
  const { distribution } = current;
  const regression = kind === "product";
  const lastGood = regression ? previous.runId : earlier.find((r) => cellKind(r.distribution) === "passed")?.runId;
  return {
    schemaVersion: ALERT_SCHEMA_VERSION,
    id: `${current.runId}:${distribution.id}:${regression ? "regression" : "fixed"}`,
    kind: regression ? "regression" : "fixed",
    distro: distribution.id,
    name: distribution.name,
    runId: current.runId,
    lastGoodRunId: lastGood,
    failing: distribution.checks
      .filter((c) => c.status === "fail" || c.status === "error")
      .map((c) => ({ id: c.id, message: c.message, transcript: excerpt(c) })),
    packages: distribution.changes?.packages ?? [],
    links: dashboardLinks(dashboardUrl, current.runId, distribution.id),
  };
}

/** Pure: where the run and the distribution's history are on the dashboard (none without its address). */
export function dashboardLinks(dashboardUrl: string | undefined, runId: string, distro: string): Alert["links"] {
  const base = dashboardUrl?.replace(/\/$/, "");
  return base ? { run: `${base}/runs/${runId}`, distro: `${base}/distros/${distro}` } : {};
}
