import { matrixRows } from "./matrix.ts";
import { type Report, seconds, verdictOf } from "./model.ts";

const MARK = { passed: "✅ passed", failed: "❌ failed", "not-run": "⏸ not run" } as const;

/** Pure: report.md, the matrix table then each distribution's phases and failing checks. */
export function renderMarkdown(report: Report): string {
  const { header, rows } = matrixRows(report, (verdict) => MARK[verdict]);
  const lines = [
    `# msf run ${report.runId}`,
    "",
    `${report.status} · started ${report.startedAt}${report.finishedAt ? ` · finished ${report.finishedAt}` : ""}${report.host ? ` · ${report.host.accel}, ${report.host.cpus} CPUs, ${report.host.memoryMiB} MiB` : ""}`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ];
  for (const d of report.distributions) {
    lines.push("", `## ${d.name} (${d.id}): ${MARK[verdictOf(d)]}`, "");
    for (const p of d.phases)
      lines.push(`- ${p.phase}: ${p.status}${p.durationMs === undefined ? "" : ` in ${seconds(p.durationMs)}`}${p.message ? ` — ${p.message}` : ""}`);
    const failing = d.checks.filter((c) => c.status === "fail" || c.status === "error");
    if (failing.length) lines.push("", "Failing checks:", "", ...failing.map((c) => `- \`${c.id}\` (${c.component}): ${c.message}`));
    if (d.diagnostics) lines.push("", `Diagnostics: ${d.diagnostics}`);
  }
  return `${lines.join("\n")}\n`;
}
