import { escapeMarkup } from "./escape.ts";
import type { Report } from "./model.ts";

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
    return `  <testsuite name="${xml(d.id)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${secs(time)}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="msf ${xml(report.runId)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
