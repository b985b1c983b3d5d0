import { changeLine } from "@msf/report";
import type { Alert } from "./alert.ts";

/** Pure: the alert in one line, for a subject or a chat message's first line. */
export function alertTitle(alert: Alert): string {
  if (alert.kind === "fixed") return `msf: ${alert.name} passes again (run ${alert.runId})`;
  if (alert.kind === "test") return `msf: a test alert (${alert.name})`;
  return `msf: ${alert.name} regressed in run ${alert.runId}: ${alert.failing.map((f) => f.id).join(", ") || "failed"}`;
}

/** Pure: the alert as text: what fails (with a transcript excerpt), what changed since the last good run, where to look. */
export function alertText(alert: Alert): string {
  const failing = alert.failing.flatMap((f) => [`- ${f.id}: ${f.message}`, ...(f.transcript ? [indent(f.transcript)] : [])]);
  const changed = alert.packages.map((p) => `- ${changeLine(p)}`);
  return [
    alertTitle(alert),
    ...(failing.length ? ["", "Failing checks:", ...failing] : []),
    ...(changed.length ? ["", `Changed since the last good run${alert.lastGoodRunId ? ` (${alert.lastGoodRunId})` : ""}:`, ...changed] : []),
    ...(alert.links.run ? ["", `Run: ${alert.links.run}`, `History: ${alert.links.distro}`] : []),
  ].join("\n");
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");

/** Pure: a Slack incoming-webhook message; Mattermost takes the same. */
export function slackPayload(alert: Alert): { text: string } {
  return { text: alertText(alert).replace(/^(.*)$/m, "*$1*") };
}
