import { mailTest } from "@msf/orchestrator";
import type { CommandEnv } from "../commands.ts";
import { seconds } from "../format.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const mark = { pass: reporter.paint("32", "✓"), fail: reporter.paint("31", "✗"), error: reporter.paint("31", "!"), skip: reporter.paint("33", "-") };
  const report = await mailTest(ctx, {
    name: args[0] as string,
    only: typeof options.only === "string" ? options.only.split(",").map((id) => id.trim()) : undefined,
    diagnostics: Boolean(options.diagnostics),
    onResult: (result) =>
      reporter.event(
        { type: "check", ...result },
        `  ${mark[result.status]} ${result.id.padEnd(18)} ${seconds(result.durationMs).padStart(7)}  ${result.message}`,
      ),
  });
  const summary = `${report.failed ? reporter.paint("31", "FAILED") : reporter.paint("32", "passed")}: ${report.passed} passed, ${report.failed} failed, ${report.checks.length - report.passed - report.failed} skipped in ${seconds(report.durationMs)}\n  results: ${report.dir}/results.json${report.diagnostics ? `\n  diagnostics: ${report.diagnostics}` : ""}`;
  reporter.result(report, summary);
  return report.failed ? 12 : 0;
}
