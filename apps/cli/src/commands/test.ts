import { MsfError } from "@msf/core";
import { type MailTestReport, mailTestTarget } from "@msf/mailtest";
import { mailTest } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { seconds } from "../format.ts";

const SERVICES = ["smtp", "submission", "smtps", "imap", "imaps", "pop3", "pop3s"] as const;

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const mark = { pass: reporter.paint("32", "✓"), fail: reporter.paint("31", "✗"), error: reporter.paint("31", "!"), skip: reporter.paint("33", "-") };
  const common = {
    only: typeof options.only === "string" ? options.only.split(",").map((id) => id.trim()) : undefined,
    diagnostics: options.diagnostics as boolean | undefined,
    onResult: (result: MailTestReport["checks"][number]) =>
      reporter.event(
        { type: "check", ...result },
        `  ${mark[result.status]} ${result.id.padEnd(18)} ${seconds(result.durationMs).padStart(7)}  ${result.message}`,
      ),
  };
  let report: MailTestReport;
  if (options.target || options.host) {
    if (!options.config)
      throw new MsfError("ERR_MSF_USAGE", "--config <accounts.json> is required with --target or --host", {
        hint: 'e.g. {"domain": "example.com", "hostname": "mail.example.com", "accounts": [{"address": "test@example.com", "password": "..."}]}',
      });
    report = await mailTestTarget(ctx, {
      ...common,
      target: options.target as string | undefined,
      host: options.host as string | undefined,
      config: options.config as string,
      includeRoot: options.includeRoot as string | undefined,
      ca: options.ca as string | undefined,
      key: options.key as string | undefined,
      hostKeys: {
        knownHosts: options.knownHosts as string | undefined,
        hostKey: options.hostKey as string | undefined,
        acceptNew: Boolean(options.acceptNewHostKey),
      },
      onWarning: (message) => reporter.event({ type: "warning", message }, `${reporter.paint("33", "warning:")} ${message}`),
      endpoints: Object.fromEntries(SERVICES.filter((s) => options[s]).map((s) => [s, options[s] as string])),
    });
  } else {
    if (!args[0]) throw new MsfError("ERR_MSF_USAGE", "name a VM (msf test debian-12) or a server (msf test --target ssh://root@host --config accounts.json)");
    report = await mailTest(ctx, { ...common, name: args[0] as string });
  }
  const skipped = report.checks.length - report.passed - report.failed;
  const verdict = report.failed ? reporter.paint("31", "FAILED") : reporter.paint("32", "passed");
  const lines = [
    `${verdict}: ${report.passed} passed, ${report.failed} failed, ${skipped} skipped in ${seconds(report.durationMs)}`,
    `  results: ${report.dir}/results.json`,
  ];
  if (report.diagnostics) lines.push(`  diagnostics: ${report.diagnostics}`);
  reporter.result(report, lines.join("\n"));
  return report.failed ? EXIT_CODES.ERR_MSF_CHECKS_FAILED : 0;
}
