import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatMs, MsfError } from "@msf/core";
import type { MailTestReport } from "@msf/mailtest";
import type { MsfContext } from "@msf/supervisor";
import { mailTest } from "@msf/vm";
import { z } from "zod";
import { defineStep, nothingToClean, vmResources } from "../step.ts";

/** checks.json (redacted) and the guest's packages.json in the run directory: what the report reads. */
export async function recordChecks(ctx: MsfContext, vmRunDir: string, report: MailTestReport, onLine: (line: string) => void): Promise<void> {
  await mkdir(vmRunDir, { recursive: true });
  await writeFile(join(vmRunDir, "checks.json"), `${JSON.stringify(ctx.logger.redact(report.checks), null, 2)}\n`);
  // The versions the checks ran against, read from the guest: the report's evidence of what was tested.
  if (report.versions) await copyFile(report.versions.file, join(vmRunDir, "packages.json"));
  else onLine(`the guest's package list could not be read: ${report.versionsError ?? "no SSH session"}`);
}

/** Every acceptance check against the run's VM; checks.json (redacted) and the guest's packages.json land in the run directory. */
export const test = defineStep({
  phase: "test",
  holdsVm: true,
  resources: vmResources,
  input: z.object({ vm: z.string() }),
  output: z.object({ passed: z.number(), failed: z.number(), checks: z.string() }),
  async run({ ctx, distribution, vmRunDir, onLine }, { vm }) {
    const report = await mailTest(ctx, { name: vm, onResult: (check) => onLine(`${check.id} ${check.status} in ${formatMs(check.durationMs)}`) });
    await recordChecks(ctx, vmRunDir, report, onLine);
    if (report.failed) {
      // Named in the message: the journal, status and report show it without opening checks.json.
      const failed = report.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => `${c.id}: ${c.message.slice(0, 300)}`);
      throw new MsfError("ERR_MSF_CHECKS_FAILED", `${report.failed} of ${report.checks.length} checks failed:\n  ${failed.join("\n  ")}`, {
        details: { checks: "checks.json" },
      });
    }
    return { passed: report.passed, failed: report.failed, checks: `vms/${distribution.id}/checks.json` };
  },
  cleanup: nothingToClean,
});
