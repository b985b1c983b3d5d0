import { z } from "zod";

// An upgrade in place, as a report row: one per hop (from -> to), with the timings per stage, the
// checks after, the integrity table of the mail and the evidence of what broke.

export const UpgradeStageNames = ["before", "upgrade", "reboot", "after", "redeploy"] as const;

const ChecksSummarySchema = z.object({ passed: z.number().int(), failed: z.number().int(), failing: z.array(z.string()) });

export const UpgradeRowSchema = z.object({
  hop: z.string(),
  from: z.string(),
  to: z.string(),
  verdict: z.enum(["survived", "repaired-by-redeploy", "broken"]),
  stagesMs: z.partialRecord(z.enum(UpgradeStageNames), z.number().nonnegative()),
  steps: z.array(
    z.object({
      name: z.string(),
      exitCode: z.number().int().nullable(),
      ms: z.number().nonnegative(),
      log: z.string(),
      /** When it failed: what apt, dpkg and the daemons said (their error lines). */
      errors: z.string().optional(),
    }),
  ),
  checks: ChecksSummarySchema.optional(),
  redeploy: ChecksSummarySchema.optional(),
  /** A step failed, so msf's recipe was deployed mid-upgrade and the upgrade resumed: did it finish? */
  repair: z.object({ afterStep: z.string(), finished: z.boolean(), message: z.string().optional() }).optional(),
  integrity: z
    .object({
      intact: z.boolean(),
      /** The mail was read as the upgrade left the server, or (IMAP down) after redeploying msf's recipe. */
      readAfter: z.enum(["upgrade", "redeploy"]).optional(),
      rows: z.array(z.object({ subject: z.string(), check: z.string(), status: z.enum(["ok", "failed"]), detail: z.string() })),
    })
    .optional(),
  /** What the admin still has to do after the hop, though every check passes (an old PostgreSQL cluster still serving). */
  notices: z.array(z.string()).optional(),
  /** Why the mail could not be read after the upgrade, even after redeploying (no integrity table then). */
  stateError: z.string().optional(),
  packages: z.array(z.object({ name: z.string(), from: z.string().optional(), to: z.string().optional() })),
  conffiles: z.array(z.object({ file: z.string(), diff: z.string() })),
  failedUnits: z.array(z.object({ unit: z.string(), journal: z.string() })),
});
export type UpgradeRow = z.infer<typeof UpgradeRowSchema>;

export const UPGRADE_VERDICT = {
  survived: "survived",
  "repaired-by-redeploy": "broken by the upgrade, repaired by redeploying msf's recipe",
  broken: "broken",
} as const;

/** Pure: the row's cells (hop, verdict, each stage's time, checks after, integrity). */
export function upgradeCells(row: UpgradeRow): { header: string[]; cells: string[] } {
  const seconds = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
  const failedRows = row.integrity?.rows.filter((r) => r.status === "failed").length ?? 0;
  return {
    header: ["upgrade", "verdict", ...UpgradeStageNames.slice(0, 4), "checks after", "integrity"],
    cells: [
      row.hop,
      row.verdict,
      ...UpgradeStageNames.slice(0, 4).map((stage) => seconds(row.stagesMs[stage])),
      row.checks ? `${row.checks.passed}/${row.checks.passed + row.checks.failed}` : "-",
      row.integrity ? (row.integrity.intact ? "intact" : `${failedRows} failed`) : "-",
    ],
  };
}

/** Pure: what broke, in words, for a person: the failing checks, the integrity rows, the failed units, what dpkg left aside. */
export function upgradeFindings(row: UpgradeRow): string[] {
  return [
    ...(row.checks?.failing ?? []).map((f) => `check failing after the upgrade: ${f}`),
    ...(row.repair
      ? [
          row.repair.finished
            ? `the upgrade stopped at ${row.repair.afterStep}; with msf's recipe for the new release deployed, it finished`
            : `the upgrade stopped at ${row.repair.afterStep}, and msf's recipe for the new release did not let it finish${row.repair.message ? `: ${row.repair.message}` : ""}`,
        ]
      : []),
    ...(row.redeploy
      ? [
          `after redeploying msf's recipe: ${row.redeploy.passed} passed, ${row.redeploy.failed} failed${row.redeploy.failing.length ? ` (${row.redeploy.failing.join("; ")})` : ""}`,
        ]
      : []),
    ...(row.notices ?? []).map((notice) => `still to do: ${notice}`),
    ...(row.stateError ? [`the mail could not be read after the upgrade: ${row.stateError}`] : []),
    ...(row.integrity?.readAfter === "redeploy" ? ["the mail was read only after redeploying msf's recipe (IMAP was down as the upgrade left it)"] : []),
    ...(row.integrity?.rows ?? []).filter((r) => r.status === "failed").map((r) => `${r.subject} ${r.check}: ${r.detail}`),
    ...row.steps
      .filter((s) => s.exitCode !== 0)
      .map((s) => `step ${s.name} ended with ${s.exitCode ?? "a timeout"} (log: ${s.log})${s.errors ? `:\n${s.errors}` : ""}`),
    ...row.failedUnits.map((u) => `failed unit ${u.unit}: ${lastLines(u.journal, 3)}`),
    ...row.conffiles.map((c) => `left aside by dpkg: ${c.file}`),
  ];
}

const lastLines = (text: string, n: number) => text.trim().split("\n").slice(-n).join(" / ");
