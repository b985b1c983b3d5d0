import { ALERT_SCHEMA_VERSION, type Alert, dashboardLinks, deliverAlert, hasChannels } from "@msf/alerts";
import { MsfError } from "@msf/core";
import { loadRunConfig } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";

/** What `msf alerts test` sends: plainly a test, in the shape of a real regression alert. */
const sample = (dashboardUrl?: string): Alert => ({
  schemaVersion: ALERT_SCHEMA_VERSION,
  id: `test:${new Date().toISOString()}`,
  kind: "test",
  distro: "debian-12",
  name: "Debian 12 (a test alert: nothing regressed)",
  runId: "test",
  failing: [{ id: "imap-login", message: "a sample failure", transcript: "C: a1 LOGIN alice ***\r\nS: a1 NO [AUTHENTICATIONFAILED]" }],
  packages: [{ name: "dovecot-core", from: "1:2.3.19.1+dfsg1-2.1+deb12u1", to: "1:2.4.1+dfsg1-6" }],
  links: dashboardLinks(dashboardUrl, "latest", "debian-12"),
});

export default command(z.object({ config: z.string().optional() }), async ({ reporter, ctx, input, cwd }) => {
  const { config, source } = await loadRunConfig({ cwd, file: input.config });
  const { alerts } = config;
  if (!hasChannels(alerts)) {
    throw new MsfError("ERR_MSF_CONFIG", `${source ?? "msf.config.yaml"}: no alert channel is configured`, {
      hint: "add alerts.webhooks (url, format json or slack) and/or alerts.email (smtp, from, to)",
    });
  }
  const deliveries = await deliverAlert(sample(alerts.dashboardUrl), alerts, { signal: ctx.signal });
  const lines = deliveries.map((d) => `${d.delivered ? "delivered" : "FAILED"}  ${d.channel}${d.error ? `: ${d.error} (after ${d.attempts} attempts)` : ""}`);
  const failed = deliveries.filter((d) => !d.delivered);
  if (failed.length) {
    throw new MsfError("ERR_MSF_ALERT_DELIVERY", `${failed.length} of ${deliveries.length} channels did not take the test alert:\n${lines.join("\n")}`, {
      hint: "check the webhook URL or the SMTP relay from this host",
    });
  }
  reporter.result({ deliveries }, lines.join("\n"));
  return EXIT_OK;
});
