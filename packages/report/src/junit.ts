import { escapeMarkup } from "./escape.ts";
import { type DistributionResult, type Report, supportLabel } from "./model.ts";
import type { UpgradeRow } from "./upgrade.ts";

// XML 1.0 forbids these control characters; transcripts may hold them.
const xml = (value: string) => escapeMarkup(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
const secs = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** Pure: junit.xml, one testsuite per distribution, one testcase per phase and per check. */
export function renderJunit(report: Report): string {
  const suites = report.distributions.map((d) => {
    const cases = [
      ...d.phases.map((p) => {
        const body =
          p.status === "done"
            ? ""
            : p.status === "skipped" || p.status === "not-run"
              ? `<skipped message="${xml(p.status)}"/>`
              : `<failure message="${xml(p.message ?? p.status)}" type="${p.status}"/>`;
        return `    <testcase classname="${xml(d.id)}.phase" name="${p.phase}" time="${secs(p.durationMs)}">${body}</testcase>`;
      }),
      ...d.checks.map((c) => {
        const body =
          c.status === "pass"
            ? ""
            : c.status === "skip"
              ? `<skipped message="${xml(c.message)}"/>`
              : `<failure message="${xml(c.message)}" type="${c.status}">${xml(c.evidence)}</failure>`;
        return `    <testcase classname="${xml(d.id)}.${xml(c.component)}" name="${xml(c.id)}" time="${secs(c.durationMs)}">${body}</testcase>`;
      }),
    ];
    const failures =
      d.phases.filter((p) => ["failed", "timed-out", "interrupted"].includes(p.status)).length +
      d.checks.filter((c) => c.status === "fail" || c.status === "error").length;
    const skipped = d.phases.filter((p) => p.status === "skipped" || p.status === "not-run").length + d.checks.filter((c) => c.status === "skip").length;
    const time = [...d.phases, ...d.checks].reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
    return `  <testsuite name="${xml(d.id)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${secs(time)}">\n${properties(d)}${cases.join("\n")}\n  </testsuite>`;
  });
  suites.push(...(report.upgrades ?? []).map(upgradeSuite));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="msf ${xml(report.runId)}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** The suite's context as JUnit properties: support, image, the stack's versions, what changed. */
function properties(d: DistributionResult): string {
  const entries: Array<[string, string]> = [];
  if (d.lifecycle) entries.push(["support", supportLabel(d)]);
  if (d.image) entries.push(["image", d.image.key]);
  for (const v of d.versions?.stack ?? []) if (v.version) entries.push([`version.${v.component}`, `${v.package ?? v.component} ${v.version}`]);
  if (d.versions?.kernelRelease) entries.push(["kernel", d.versions.kernelRelease]);
  if (d.changes) entries.push(["changed-packages", String(d.changes.packages.length)], ["baseline-run", d.changes.baseline.runId]);
  if (!entries.length) return "";
  return `    <properties>\n${entries.map(([name, value]) => `      <property name="${xml(name)}" value="${xml(value)}"/>`).join("\n")}\n    </properties>\n`;
}

/** An upgrade hop as a suite: a case per step, per check after (summed), per integrity row. */
function upgradeSuite(u: UpgradeRow): string {
  const name = `upgrade ${u.from} -> ${u.to}`;
  const cases = [
    ...u.steps.map((s) => {
      const body =
        s.exitCode === 0 ? "" : `<failure message="${xml(`exit ${s.exitCode ?? "timeout"}, log ${s.log}`)}" type="step">${xml(s.errors ?? "")}</failure>`;
      return `    <testcase classname="${xml(name)}.step" name="${xml(s.name)}" time="${secs(s.ms)}">${body}</testcase>`;
    }),
    // msf's recipe deployed mid-upgrade: a case of its own, with what stopped it (the daemon's own error).
    ...(u.repair
      ? [
          `    <testcase classname="${xml(name)}.repair" name="${xml(`redeploy msf's recipe after ${u.repair.afterStep}`)}" time="0.000">${
            u.repair.finished ? "" : `<failure message="the upgrade did not finish" type="repair">${xml(u.repair.message ?? "")}</failure>`
          }</testcase>`,
        ]
      : []),
    ...(u.checks
      ? [
          `    <testcase classname="${xml(name)}.checks" name="every check after the upgrade" time="${secs(u.stagesMs.after)}">${
            u.checks.failed ? `<failure message="${xml(`${u.checks.failed} failed`)}" type="checks">${xml(u.checks.failing.join("\n"))}</failure>` : ""
          }</testcase>`,
        ]
      : []),
    ...(u.integrity?.rows ?? []).map(
      (r) =>
        `    <testcase classname="${xml(name)}.integrity" name="${xml(`${r.subject} ${r.check}`)}" time="0.000">${r.status === "ok" ? "" : `<failure message="${xml(r.detail)}" type="integrity"/>`}</testcase>`,
    ),
  ];
  const failures = cases.filter((c) => c.includes("<failure")).length;
  const time = Object.values(u.stagesMs).reduce((sum: number, ms) => sum + (ms ?? 0), 0);
  return `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failures}" skipped="0" time="${secs(time)}">\n    <properties>\n      <property name="verdict" value="${xml(u.verdict)}"/>\n      <property name="changed-packages" value="${u.packages.length}"/>\n    </properties>\n${cases.join("\n")}\n  </testsuite>`;
}
