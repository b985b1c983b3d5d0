import { MsfError } from "@msf/core";
import { type MailService, type MailTestReport, mailTestTarget } from "@msf/mailtest";
import { mailTest } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { seconds } from "../format.ts";
import { flag, listValue } from "../values.ts";

const endpoint = z.string().optional();
const schema = z.object({
  name: z.string().optional(),
  only: listValue.optional(),
  diagnostics: z.boolean().optional(),
  target: z.string().optional(),
  host: z.string().optional(),
  config: z.string().optional(),
  includeRoot: z.string().optional(),
  ca: z.string().optional(),
  key: z.string().optional(),
  knownHosts: z.string().optional(),
  hostKey: z.string().optional(),
  acceptNewHostKey: flag,
  smtp: endpoint,
  submission: endpoint,
  smtps: endpoint,
  imap: endpoint,
  imaps: endpoint,
  pop3: endpoint,
  pop3s: endpoint,
});
const SERVICES: MailService[] = ["smtp", "submission", "smtps", "imap", "imaps", "pop3", "pop3s"];

export default command(schema, async ({ reporter, ctx, input }) => {
  const mark = { pass: reporter.paint("green", "✓"), fail: reporter.paint("red", "✗"), error: reporter.paint("red", "!"), skip: reporter.paint("yellow", "-") };
  const common = {
    only: input.only,
    diagnostics: input.diagnostics,
    onResult: (result: MailTestReport["checks"][number]) =>
      reporter.event(
        { type: "check", ...result },
        `  ${mark[result.status]} ${result.id.padEnd(18)} ${seconds(result.durationMs).padStart(7)}  ${result.message}`,
      ),
  };
  const stop = reporter.keepAlive(() => "running the checks");
  let report: MailTestReport;
  try {
    if (input.target || input.host) {
      if (!input.config)
        throw new MsfError("ERR_MSF_USAGE", "--config <accounts.json> is required with --target or --host", {
          hint: 'e.g. {"domain": "example.com", "hostname": "mail.example.com", "accounts": [{"address": "test@example.com", "password": "..."}]}',
        });
      report = await mailTestTarget(ctx, {
        ...common,
        target: input.target,
        host: input.host,
        config: input.config,
        includeRoot: input.includeRoot,
        ca: input.ca,
        key: input.key,
        hostKeys: { knownHosts: input.knownHosts, hostKey: input.hostKey, acceptNew: input.acceptNewHostKey },
        onWarning: (message) => reporter.event({ type: "warning", message }, `${reporter.paint("yellow", "warning:")} ${message}`),
        endpoints: Object.fromEntries(SERVICES.flatMap((service) => (input[service] ? [[service, input[service]]] : []))),
      });
    } else {
      if (!input.name)
        throw new MsfError("ERR_MSF_USAGE", "name a VM (msf test debian-12) or a server (msf test --target ssh://root@host --config accounts.json)");
      report = await mailTest(ctx, { ...common, name: input.name });
    }
  } finally {
    stop();
  }
  const skipped = report.checks.length - report.passed - report.failed;
  const verdict = report.failed ? reporter.paint("red", "FAILED") : reporter.paint("green", "passed");
  const lines = [
    `${verdict}: ${report.passed} passed, ${report.failed} failed, ${skipped} skipped in ${seconds(report.durationMs)}`,
    `  results: ${report.dir}/results.json`,
  ];
  if (report.diagnostics) lines.push(`  diagnostics: ${report.diagnostics}`);
  reporter.result(report, lines.join("\n"));
  return report.failed ? exitFor("ERR_MSF_CHECKS_FAILED") : EXIT_OK;
});
