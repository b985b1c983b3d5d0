import { matrixRows } from "./matrix.ts";
import { changeLine, type DistributionResult, imageLine, type Report, reportTitle, seconds, stackLines, verdictOf } from "./model.ts";
import { UPGRADE_VERDICT, type UpgradeRow, upgradeCells, upgradeFindings } from "./upgrade.ts";

const MARK = { passed: "✅ passed", failed: "❌ failed", partial: "◐ partial", "not-run": "⏸ not run" } as const;

/** Pure: report.md, the matrix table then each distribution's phases and failing checks. */
export function renderMarkdown(report: Report): string {
  const { header, rows } = matrixRows(report, (verdict) => MARK[verdict]);
  const lines = [
    `# ${reportTitle(report)}`,
    "",
    `${report.status} · started ${report.startedAt}${report.finishedAt ? ` · finished ${report.finishedAt}` : ""}${report.host ? ` · ${report.host.accel}, ${report.host.cpus} CPUs, ${report.host.memoryMiB} MiB` : ""}`,
  ];
  if (rows.length) lines.push("", ...table(header, rows));
  const upgrades = report.upgrades ?? [];
  if (upgrades.length)
    lines.push(
      "",
      ...table(
        upgradeCells(upgrades[0] as UpgradeRow).header,
        upgrades.map((u) => upgradeCells(u).cells),
      ),
    );
  for (const d of report.distributions) {
    lines.push("", `## ${d.name} (${d.id}): ${MARK[verdictOf(d)]}`, "");
    for (const p of d.phases)
      lines.push(
        `- ${p.phase}: ${p.status}${p.durationMs === undefined ? "" : ` in ${seconds(p.durationMs)}`}${p.worker ? ` on ${p.worker}` : ""}${p.message ? ` — ${p.message}` : ""}`,
      );
    const failing = d.checks.filter((c) => c.status === "fail" || c.status === "error");
    if (failing.length) lines.push("", "Failing checks:", "", ...failing.map((c) => `- \`${c.id}\` (${c.component}): ${c.message}`));
    if (d.diagnostics) lines.push("", `Diagnostics: ${d.diagnostics}`);
    lines.push(...evidenceOfVersions(d));
  }
  for (const u of upgrades) lines.push(...upgradeSection(u));
  return `${lines.join("\n")}\n`;
}

const row = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|").replaceAll("\n", " ")).join(" | ")} |`;
const table = (header: string[], rows: string[][]) => [row(header), row(header.map(() => "---")), ...rows.map(row)];

function upgradeSection(u: UpgradeRow): string[] {
  const lines = ["", `## Upgrade ${u.hop}: ${UPGRADE_VERDICT[u.verdict]}`, ""];
  lines.push(...u.steps.map((s) => `- ${s.name}: ${s.exitCode === 0 ? "done" : `exit ${s.exitCode ?? "timeout"}`} in ${seconds(s.ms)} ([log](${s.log}))`));
  const findings = upgradeFindings(u);
  if (findings.length) lines.push("", "What broke:", "", ...findings.map((f) => `- ${f}`));
  if (u.integrity)
    lines.push(
      "",
      "Integrity:",
      "",
      ...table(
        ["subject", "check", "status", "detail"],
        u.integrity.rows.map((r) => [r.subject, r.check, r.status, r.detail]),
      ),
    );
  lines.push("", `${u.packages.length} package${u.packages.length === 1 ? "" : "s"} changed`);
  if (u.packages.length) lines.push("", ...u.packages.slice(0, CHANGES_SHOWN).map((c) => `- ${changeLine(c)}`));
  if (u.packages.length > CHANGES_SHOWN) lines.push(`- … and ${u.packages.length - CHANGES_SHOWN} more`);
  return lines;
}

/** At most this many changed packages are listed; the full list is in the packages file. */
const CHANGES_SHOWN = 40;

function evidenceOfVersions(d: DistributionResult): string[] {
  const lines: string[] = [];
  const about = [d.lifecycle?.note, d.image && imageLine(d.image)].filter(Boolean);
  if (about.length) lines.push("", ...about.map((line) => `- ${line}`));
  if (d.versions) {
    const v = d.versions;
    lines.push(
      "",
      `Versions tested (read from the ${v.source}${v.kernelRelease ? `, kernel ${v.kernelRelease}` : ""}; all ${v.packages} packages: [${v.packagesFile}](${v.packagesFile})):`,
      "",
      ...stackLines(v).map((line) => `- ${line}`),
    );
  }
  if (d.changes) {
    const { baseline, packages, newlyFailing, newlyPassing } = d.changes;
    lines.push("", `Since run ${baseline.runId}, the last that passed: ${packages.length} package${packages.length === 1 ? "" : "s"} changed`);
    if (packages.length) lines.push("", ...packages.slice(0, CHANGES_SHOWN).map((c) => `- ${changeLine(c)}`));
    if (packages.length > CHANGES_SHOWN) lines.push(`- … and ${packages.length - CHANGES_SHOWN} more`);
    if (newlyFailing.length) lines.push("", `Newly failing: ${newlyFailing.map((id) => `\`${id}\``).join(", ")}`);
    if (newlyPassing.length) lines.push("", `Newly passing: ${newlyPassing.map((id) => `\`${id}\``).join(", ")}`);
  }
  return lines;
}
