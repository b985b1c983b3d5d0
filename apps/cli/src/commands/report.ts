import { join } from "node:path";
import { MsfError } from "@msf/core";
import { compareReports, renderHtml, renderJson, renderJunit, renderMarkdown } from "@msf/report";
import { loadRunReport } from "@msf/run";
import type { CommandEnv } from "../commands.ts";

const RENDERERS = { md: renderMarkdown, json: renderJson, junit: renderJunit, html: renderHtml } as const;

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  if (options.compare) {
    const [a, b] = [options.compare as string, args[0] as string | undefined];
    if (!b) throw new MsfError("ERR_MSF_USAGE", "--compare A B: name two runs (msf runs lists them)");
    const diff = compareReports((await loadRunReport(ctx, a)).report, (await loadRunReport(ctx, b)).report);
    const lines = [
      `newly failing: ${diff.newlyFailing.join(", ") || "none"}`,
      `newly passing: ${diff.newlyPassing.join(", ") || "none"}`,
      `slower by >20%: ${diff.slower.map((s) => `${s.what} ${(s.beforeMs / 1000).toFixed(1)} s -> ${(s.afterMs / 1000).toFixed(1)} s`).join(", ") || "none"}`,
    ];
    reporter.result(diff, lines.join("\n"));
    return diff.newlyFailing.length ? 12 : 0;
  }
  const { run: summary, report } = await loadRunReport(ctx, args[0] as string | undefined);
  const formats = String(options.format ?? "")
    .split(",")
    .filter(Boolean);
  for (const format of formats)
    if (!(format in RENDERERS)) throw new MsfError("ERR_MSF_USAGE", `--format takes md, json, junit, html (comma-separated), not ${format}`);
  const human = formats.length
    ? formats.map((format) => RENDERERS[format as keyof typeof RENDERERS](report)).join("\n")
    : `run ${summary.runId}: ${report.status}\n${["index.html", "report.md", "report.json", "junit.xml"].map((f) => `  ${join(summary.reportDir, f)}`).join("\n")}`;
  reporter.result({ runId: summary.runId, reportDir: summary.reportDir, report }, human);
  return 0;
}
