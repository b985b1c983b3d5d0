import {
  type CheckResult,
  changeLine,
  type DistributionResult,
  escapeMarkup as e,
  imageLine,
  type Report,
  seconds,
  stackLines,
  type UpgradeRow,
  upgradeCells,
  upgradeFindings,
} from "@msf/report";
import type { RunSnapshot } from "@msf/run";
import { table } from "./layout.ts";

/** Where a check's page is. */
export const checkHref = (runId: string, distro: string, checkId: string) =>
  `/runs/${encodeURIComponent(runId)}/checks/${encodeURIComponent(distro)}/${encodeURIComponent(checkId)}`;

/** Pure: a run's page: its tasks (updated live by app.js), the log tail while it runs, then each distribution's checks. */
export function runBody(runId: string, snapshot: Pick<RunSnapshot, "status" | "tasks">, report: Report | undefined): string {
  const running = snapshot.status === "running";
  const tasks = Object.entries(snapshot.tasks);
  // A queued run: which worker ran each step.
  const workerOf = (task: (typeof tasks)[number][1]) => (typeof task.outputs?.worker === "string" ? task.outputs.worker : "");
  const queued = tasks.some(([, task]) => workerOf(task));
  const rows = tasks.map(([id, task]) => [
    e(id),
    `<span class="state ${e(task.state)}">${e(task.state)}</span>`,
    `<span class="time">${seconds(task.durationMs)}</span>`,
    ...(queued ? [e(workerOf(task))] : []),
    e(task.message ?? ""),
  ]);
  const cancel = running ? ` <button type="button" id="cancel">Cancel</button> <span id="cancel-result" role="status"></span>` : "";
  return `<p>status <strong id="run-status">${e(snapshot.status)}</strong>${cancel} · <a href="${artifactHref(runId, "report/index.html")}">report</a> · <a href="${artifactHref(runId, "msf.log")}">log</a></p>
${table(["task", "state", "time", ...(queued ? ["worker"] : []), "message"], rows, ` id="tasks"`, (index) => ` data-task="${e(tasks[index]?.[0] ?? "")}"`)}
${running ? `<h2>Log</h2><pre id="log-tail" class="log" aria-live="polite"></pre>` : ""}
${(report?.distributions ?? []).map((distribution) => distributionChecks(runId, distribution, running)).join("\n")}
${report?.upgrades?.length ? upgradesSection(report.upgrades) : ""}`;
}

/** The versions tested, the image booted and what changed since the last pass: a distribution's header lines. */
function versionsLines(distribution: DistributionResult): string {
  const lines = [
    ...(distribution.versions ? [stackLines(distribution.versions).join(" · ")] : []),
    ...(distribution.image ? [imageLine(distribution.image)] : []),
    ...(distribution.changes?.packages.length
      ? [`changed since the last pass (${distribution.changes.baseline.runId}): ${distribution.changes.packages.map(changeLine).join(", ")}`]
      : []),
  ];
  return lines.map((line) => `<p class="muted">${e(line)}</p>`).join("");
}

/** Upgrades in place: a row per hop (verdict, stage times, checks after, integrity), then what broke. */
function upgradesSection(rows: UpgradeRow[]): string {
  const [first] = rows as [UpgradeRow];
  const findings = rows.flatMap((row) => upgradeFindings(row).map((finding) => `<li>${e(row.hop)}: ${e(finding)}</li>`));
  return `<section id="upgrades"><h2>Upgrades</h2>
${table(
  upgradeCells(first).header,
  rows.map((row) => upgradeCells(row).cells.map((cell) => e(cell))),
)}
${findings.length ? `<ul>${findings.join("")}</ul>` : ""}</section>`;
}

function distributionChecks(runId: string, distribution: DistributionResult, running: boolean): string {
  const rows = distribution.checks.map((check) => [
    `<a href="${checkHref(runId, distribution.id, check.id)}">${e(check.id)}</a>`,
    `<span class="${checkClass(check)}">${e(check.status)}</span>`,
    seconds(check.durationMs),
    e(check.message),
  ]);
  // Rerun is offered once the run is over (a running one holds the state directory).
  const rerun = running ? "" : ` <button type="button" class="rerun" data-distro="${e(distribution.id)}">Rerun ${e(distribution.id)}</button>`;
  const checks = rows.length ? table(["check", "verdict", "time", "message"], rows, ` class="checks"`) : `<p class="muted">No checks ran.</p>`;
  return `<section id="checks-${e(distribution.id)}"><h2>${e(distribution.name)}${rerun}</h2>\n${versionsLines(distribution)}${checks}</section>`;
}

const checkClass = (check: CheckResult) => (check.status === "pass" ? "passed" : check.status === "skip" ? "skipped" : "product");

/** Pure: a check's page: verdict, time, message, its wire transcript and where the diagnostics are. */
export function checkBody(runId: string, distribution: DistributionResult, check: CheckResult, diagnostics: string[]): string {
  const links = diagnostics.map((file) => `<li><a href="${artifactHref(runId, file)}">${e(file)}</a></li>`).join("");
  return `<p><span class="cell ${checkClass(check)}">${e(check.status)}</span> in ${seconds(check.durationMs)} · ${e(check.component)} · ${e(distribution.name)} in run <a href="/runs/${encodeURIComponent(runId)}">${e(runId)}</a></p>
<p>${e(check.message)}</p>
<h2>Transcript</h2>
<pre class="log" id="transcript">${e(check.evidence || "(none recorded)")}</pre>
${links ? `<h2>Diagnostics</h2><ul id="diagnostics">${links}</ul>` : ""}`;
}

const artifactHref = (runId: string, relative: string) =>
  `/api/v1/runs/${encodeURIComponent(runId)}/artifacts/${relative.split("/").map(encodeURIComponent).join("/")}`;
