import { escapeMarkup as esc } from "./escape.ts";
import { changeLine } from "./model.ts";
import { UPGRADE_VERDICT, type UpgradeRow, upgradeCells, upgradeFindings } from "./upgrade.ts";

const VERDICT_CLASS = { survived: "passed", "repaired-by-redeploy": "partial", broken: "failed" } as const;

/** Pure: the upgrades' table and a section per hop (steps with their logs, what broke, integrity, conffile diffs, failed units, packages). */
export function upgradesHtml(upgrades: readonly UpgradeRow[]): string {
  if (!upgrades.length) return "";
  const { header } = upgradeCells(upgrades[0] as UpgradeRow);
  const rows = upgrades.map((u) => {
    const [hop, verdict, ...rest] = upgradeCells(u).cells;
    return `<tr><td><a href="#${esc(anchor(u))}">${esc(hop ?? "")}</a></td><td class="${VERDICT_CLASS[u.verdict]}">${esc(verdict ?? "")}</td>${rest.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`;
  });
  return `\n<h2>Upgrades in place</h2>
<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("\n")}</tbody></table>
${upgrades.map(section).join("\n")}`;
}

const anchor = (u: UpgradeRow) => `upgrade-${u.from}-${u.to}`;

function section(u: UpgradeRow): string {
  const steps = u.steps
    .map(
      (s) =>
        `<li class="${s.exitCode === 0 ? "done" : "failed"}">${esc(s.name)}: ${s.exitCode === 0 ? "done" : `exit ${s.exitCode ?? "timeout"}`} in ${(s.ms / 1000).toFixed(1)} s · <a href="${esc(s.log)}">log</a></li>`,
    )
    .join("");
  const findings = upgradeFindings(u);
  const integrity = u.integrity
    ? `<table><thead><tr><th>subject</th><th>check</th><th>status</th><th>detail</th></tr></thead><tbody>${u.integrity.rows
        .map(
          (r) =>
            `<tr><td>${esc(r.subject)}</td><td>${esc(r.check)}</td><td class="${r.status === "ok" ? "pass" : "fail"}">${r.status}</td><td>${esc(r.detail)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  const evidence = [
    ...u.failedUnits.map((f) => `<details open><summary>failed unit <code>${esc(f.unit)}</code></summary><pre>${esc(f.journal)}</pre></details>`),
    ...u.conffiles.map(
      (c) => `<details><summary>left aside by dpkg: <code>${esc(c.file)}</code></summary><pre>${esc(c.diff || "(no difference)")}</pre></details>`,
    ),
    `<details><summary>${u.packages.length} package(s) changed</summary><pre>${esc(u.packages.map(changeLine).join("\n") || "(none)")}</pre></details>`,
  ];
  return `<section id="${esc(anchor(u))}"><h2>Upgrade ${esc(u.hop)} <span class="${VERDICT_CLASS[u.verdict]}">${esc(UPGRADE_VERDICT[u.verdict])}</span></h2>
<ul>${steps}</ul>${findings.length ? `<p>What broke:</p><ul>${findings.map((f) => `<li>${esc(f)}</li>`).join("")}</ul>` : ""}${integrity}
${evidence.join("\n")}</section>`;
}
