import { UPGRADE_VERDICT, upgradeFindings } from "@msf/report";
import { vmUpgrade } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { seconds } from "../format.ts";
import { distroIds } from "../values.ts";

const schema = z.object({
  from: z.string(),
  to: distroIds.refine((ids) => ids.length > 0, "name the release to upgrade to"),
  name: z.string().optional(),
  conffiles: z.enum(["keep", "maintainer"]).default("keep"),
  overlay: z.string().optional(),
  with: z.string().optional(),
});

export default command(schema, async ({ reporter, ctx, input }) => {
  let now = "deploying and checking before the upgrade";
  const stop = reporter.keepAlive(() => now);
  const result = await vmUpgrade(ctx, {
    from: input.from,
    to: input.to,
    name: input.name,
    conffiles: input.conffiles,
    overlay: input.overlay,
    deployer: input.with,
    onEvent: (event) => {
      if (event.type === "stage" && event.status === "started") now = `${event.stage}${event.hop ? ` (${event.hop})` : ""}`;
      if (event.type === "upgrade-step" && event.status === "started") now = `${event.hop}: ${event.step}`;
      if (event.type === "progress") now = `${event.stage}: ${event.what}`;
      if (event.type === "stage") {
        reporter.event(
          event,
          event.status === "started" ? `${event.stage}${event.hop ? ` (${event.hop})` : ""}...` : `  ${event.stage} done in ${seconds(event.ms)}`,
        );
      } else if (event.type === "upgrade-step") {
        reporter.event(event, event.status === "started" ? undefined : `  ${event.status === "done" ? "✓" : "✗"} ${event.step} ${seconds(event.ms)}`);
      } else if (event.type === "progress") {
        reporter.event(event, `  ${event.what}...`);
      } else reporter.event(event);
    },
  }).finally(stop);
  const lines = [
    `${input.from}: ${result.before.checks.passed} checks passed, ${result.before.messages} messages in the mailboxes, ${result.before.queued} queued`,
  ];
  for (const hop of result.hops) {
    lines.push(`${hop.hop}: ${UPGRADE_VERDICT[hop.verdict]}`);
    if (hop.checks) lines.push(`  checks after: ${hop.checks.passed} passed, ${hop.checks.failed} failed`);
    if (hop.integrity?.intact) lines.push("  integrity: every message, UID, flag and folder kept; the queue and the DKIM key too");
    lines.push(...upgradeFindings(hop).map((finding) => `  ${finding}`));
    lines.push(
      `  ${hop.packages.length} packages changed; stages: ${Object.entries(hop.stagesMs)
        .map(([stage, ms]) => `${stage} ${seconds(ms)}`)
        .join(", ")}`,
    );
  }
  lines.push(`report: ${result.reportFiles.join(", ")}`);
  reporter.result({ ...result, checksAfter: undefined }, lines.join("\n"));
  return result.hops.every((h) => h.verdict === "survived") ? EXIT_OK : exitFor("ERR_MSF_CHECKS_FAILED");
});
