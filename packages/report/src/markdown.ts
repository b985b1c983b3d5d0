import { checkCounts, type Report, seconds, verdictOf } from "./model.ts";

const MARK = { passed: "✅ passed", failed: "❌ failed", "not-run": "⏸ not run" } as const;

/** Pure: report.md, the matrix table then each distribution's phases and failing checks. */
export function renderMarkdown(report: Report): string {
  const phases = [...new Set(report.distributions.flatMap((d) => d.phases.map((p) => p.phase)))];
  const lines = [
    `# msf run ${report.runId}`,
    "",
    `${report.status} · started ${report.startedAt}${report.finishedAt ? ` · finished ${report.finishedAt}` : ""}${report.host ? ` · ${report.host.accel}, ${report.host.cpus} CPUs, ${report.host.memoryMiB} MiB` : ""}`,
    "",
    `| distribution | verdict | ${phases.join(" | ")} | checks |`,
    `| --- | --- | ${phases.map(() => "---").join(" | ")} | --- |`,
    ...report.distributions.map((d) => {
      const counts = checkCounts(d);
      const cells = phases.map((phase) => {
        const result = d.phases.find((p) => p.phase === phase);
        return result ? (result.status === "done" ? seconds(result.durationMs) : result.status) : "";
      });
      return `| ${d.name} | ${MARK[verdictOf(d)]} | ${cells.join(" | ")} | ${counts.total ? `${counts.passed}/${counts.total}` : "-"} |`;
    }),
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
