export { type Comparison, compareReports } from "./compare.ts";
export { escapeMarkup } from "./escape.ts";
export { renderHtml } from "./html.ts";
export { renderJunit } from "./junit.ts";
export { renderMarkdown } from "./markdown.ts";
export { matrixRows } from "./matrix.ts";
export {
  type Changes,
  ChangesSchema,
  type CheckResult,
  CheckResultSchema,
  changeLine,
  checkCounts,
  type DistributionResult,
  DistributionResultSchema,
  ImageInfoSchema,
  imageLine,
  LifecycleSchema,
  PackageChangeSchema,
  type PhaseResult,
  PhaseResultSchema,
  REPORT_SCHEMA_VERSION,
  type Report,
  type ReportInput,
  ReportSchema,
  seconds,
  stackLines,
  supportLabel,
  type Verdict,
  type Versions,
  VersionsSchema,
  verdictOf,
} from "./model.ts";
export { UPGRADE_VERDICT, type UpgradeRow, UpgradeRowSchema, UpgradeStageNames, upgradeCells, upgradeFindings } from "./upgrade.ts";

import { renderHtml } from "./html.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { type Report, type ReportInput, ReportSchema } from "./model.ts";

/** Pure: report.json text (validated against the versioned schema). */
export function renderJson(report: ReportInput): string {
  return `${JSON.stringify(ReportSchema.parse(report), null, 2)}\n`;
}

/** Parses report.json text; a file of another schema version or shape is an error naming the field. */
export function parseReport(text: string): Report {
  return ReportSchema.parse(JSON.parse(text));
}

/** Pure: the four formats of a report, by the file name each is written to. */
export function renderAll(report: Report): Record<"report.json" | "report.md" | "junit.xml" | "index.html", string> {
  return { "report.json": renderJson(report), "report.md": renderMarkdown(report), "junit.xml": renderJunit(report), "index.html": renderHtml(report) };
}
export { CELL_LABEL, type CellKind, cellKind, INFRASTRUCTURE_PHASES } from "./cell.ts";
export { type CheckTrend, checkTrends, FLAKY_WINDOW } from "./trend.ts";
