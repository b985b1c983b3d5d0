import { escapeMarkup } from "./escape.ts";
import { upgradesHtml } from "./html-upgrade.ts";
import {
  changeLine,
  checkCounts,
  type DistributionResult,
  imageLine,
  type Report,
  reportTitle,
  seconds,
  stackLines,
  supportLabel,
  verdictOf,
} from "./model.ts";

const esc = escapeMarkup;

// Light and dark follow the system; the toggle overrides it (remembered in localStorage).
const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0; --pass: #1a7f37; --fail: #cf222e; --idle: #9a6700; --code: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --pass: #3fb950; --fail: #f85149; --idle: #d29922; --code: #161b22; } }
:root[data-theme="dark"] { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --pass: #3fb950; --fail: #f85149; --idle: #d29922; --code: #161b22; }
body { font: 14px/1.5 system-ui, sans-serif; background: var(--bg); color: var(--fg); margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid var(--line); padding: .35rem .6rem; text-align: left; }
.passed, .pass, .done { color: var(--pass); } .failed, .fail, .error, .timed-out, .interrupted { color: var(--fail); } .not-run, .partial, .skipped, .skip { color: var(--idle); }
.muted { color: var(--muted); } pre { background: var(--code); padding: .6rem; overflow: auto; max-height: 24rem; }
button { float: right; }`;
const TOGGLE = `document.documentElement.dataset.theme = localStorage.getItem("msf-theme") || "";
function toggleTheme() { const dark = matchMedia("(prefers-color-scheme: dark)").matches; const now = document.documentElement.dataset.theme || (dark ? "dark" : "light");
  const next = now === "dark" ? "light" : "dark"; document.documentElement.dataset.theme = next; localStorage.setItem("msf-theme", next); }`;

/** Pure: index.html, self-contained (no external files): matrix, timings, checks with transcripts, links to logs. */
export function renderHtml(report: Report): string {
  const phases = [...new Set(report.distributions.flatMap((d) => d.phases.map((p) => p.phase)))];
  const rows = report.distributions.map((d) => {
    const verdict = verdictOf(d);
    const counts = checkCounts(d);
    const cells = phases.map((phase) => {
      const p = d.phases.find((r) => r.phase === phase);
      if (!p) return "<td></td>";
      const text = p.status === "done" ? seconds(p.durationMs) : p.status;
      return `<td class="${p.status}">${p.evidence ? `<a href="${esc(p.evidence)}">${esc(text)}</a>` : esc(text)}</td>`;
    });
    const support = supportLabel(d);
    return `<tr><td><a href="#${esc(d.id)}">${esc(d.name)}</a></td><td class="${verdict}">${verdict}</td><td class="${d.lifecycle?.state === "supported" ? "muted" : "not-run"}">${esc(support)}</td>${cells.join("")}<td>${counts.total ? `${counts.passed}/${counts.total}` : "-"}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(reportTitle(report))}</title><style>${STYLE}</style><script>${TOGGLE}</script></head>
<body><button type="button" onclick="toggleTheme()">light / dark</button>
<h1>${esc(reportTitle(report))}</h1>
<p class="muted">${esc(report.status)} · started ${esc(report.startedAt)}${report.finishedAt ? ` · finished ${esc(report.finishedAt)}` : ""}${report.host ? ` · ${report.host.accel}, ${report.host.cpus} CPUs, ${report.host.memoryMiB} MiB` : ""}</p>
${
  rows.length
    ? `<table><thead><tr><th>distribution</th><th>verdict</th><th>support</th>${phases.map((p) => `<th>${p}</th>`).join("")}<th>checks</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`
    : ""
}
${report.distributions.map(details).join("\n")}${upgradesHtml(report.upgrades ?? [])}
</body></html>
`;
}

function details(d: DistributionResult): string {
  const phases = d.phases
    .map(
      (p) =>
        `<li class="${p.status}">${p.phase}: ${p.status}${p.durationMs === undefined ? "" : ` in ${seconds(p.durationMs)}`}${p.worker ? ` on ${esc(p.worker)}` : ""}${p.message ? ` — ${esc(p.message)}` : ""}</li>`,
    )
    .join("");
  const checks = d.checks
    .map(
      (c) =>
        `<details><summary><span class="${c.status}">${c.status}</span> <code>${esc(c.id)}</code> <span class="muted">${esc(c.component)} · ${seconds(c.durationMs)}</span> ${esc(c.message)}</summary><pre>${esc(c.evidence || "(no transcript)")}</pre></details>`,
    )
    .join("\n");
  return `<section id="${esc(d.id)}"><h2>${esc(d.name)} <span class="${verdictOf(d)}">${verdictOf(d)}</span></h2>${versions(d)}<ul>${phases}</ul>${checks}${d.diagnostics ? `<p><a href="${esc(d.diagnostics)}">diagnostics</a></p>` : ""}</section>`;
}

/** Lifecycle, image, the stack's versions and what changed since the last pass. */
function versions(d: DistributionResult): string {
  const about = [d.lifecycle?.note, d.image && imageLine(d.image)].filter((line): line is string => Boolean(line));
  const parts = about.length ? [`<p class="muted">${about.map(esc).join("<br>")}</p>`] : [];
  if (d.versions) {
    const v = d.versions;
    parts.push(
      `<p>Versions tested, read from the ${v.source}${v.kernelRelease ? ` (kernel ${esc(v.kernelRelease)})` : ""}: <a href="${esc(v.packagesFile)}">all ${v.packages} packages</a></p>`,
      `<ul>${stackLines(v)
        .map((line) => `<li><code>${esc(line)}</code></li>`)
        .join("")}</ul>`,
    );
  }
  if (d.changes) {
    const { baseline, packages, newlyFailing, newlyPassing } = d.changes;
    parts.push(
      `<details${newlyFailing.length ? " open" : ""}><summary>Since run ${esc(baseline.runId)} (the last that passed): ${packages.length} package(s) changed${newlyFailing.length ? `, newly failing: ${newlyFailing.map(esc).join(", ")}` : ""}${newlyPassing.length ? `, newly passing: ${newlyPassing.map(esc).join(", ")}` : ""}</summary><pre>${esc(packages.map(changeLine).join("\n") || "(no package changed)")}</pre></details>`,
    );
  }
  return parts.join("\n");
}
