import { join } from "node:path";
import { MsfError } from "@msf/core";
import { changeLine, renderHtml, renderJson, renderJunit, renderMarkdown } from "@msf/report";
import { compareRuns, loadRunReport } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { listValue } from "../values.ts";

const RENDERERS = { md: renderMarkdown, json: renderJson, junit: renderJunit, html: renderHtml } as const;
const schema = z.object({
  runId: z.string().optional(),
  format: listValue.pipe(z.array(z.enum(["md", "json", "junit", "html"], { error: "expected md, json, junit or html" }))).optional(),
  compare: z.string().optional(),
});

export default command(schema, async ({ reporter, ctx, input }) => {
  if (input.compare) {
    if (!input.runId) throw new MsfError("ERR_MSF_USAGE", "--compare A B: name two runs (msf runs lists them)");
    const diff = await compareRuns(ctx, input.compare, input.runId);
    const lines = [
      `run ${diff.before} -> run ${diff.after}`,
      ...Object.entries(diff.packages).flatMap(([distro, changes]) => [
        `${distro}: ${changes.length} package${changes.length === 1 ? "" : "s"} changed`,
        ...changes.map((c) => `  ${changeLine(c)}`),
      ]),
      `newly failing: ${diff.newlyFailing.join(", ") || "none"}`,
      `newly passing: ${diff.newlyPassing.join(", ") || "none"}`,
      `slower by >20%: ${diff.slower.map((s) => `${s.what} ${(s.beforeMs / 1000).toFixed(1)} s -> ${(s.afterMs / 1000).toFixed(1)} s`).join(", ") || "none"}`,
    ];
    reporter.result(diff, lines.join("\n"));
    return diff.newlyFailing.length ? exitFor("ERR_MSF_CHECKS_FAILED") : EXIT_OK;
  }
  const { run: summary, report } = await loadRunReport(ctx, input.runId);
  const formats = input.format ?? [];
  const human = formats.length
    ? formats.map((format) => RENDERERS[format](report)).join("\n")
    : `run ${summary.runId}: ${report.status}\n${["index.html", "report.md", "report.json", "junit.xml"].map((f) => `  ${join(summary.reportDir, f)}`).join("\n")}`;
  reporter.result({ runId: summary.runId, reportDir: summary.reportDir, report }, human);
  return EXIT_OK;
});
