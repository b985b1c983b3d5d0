import { MsfError } from "@msf/core";
import { mailDeploy } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { parseDuration, seconds } from "../format.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const tlsFiles = [options.tlsCert, options.tlsKey, options.tlsCa];
  if (tlsFiles.some(Boolean) && !tlsFiles.every(Boolean)) throw new MsfError("ERR_MSF_USAGE", "--tls-cert, --tls-key and --tls-ca go together");
  const deployment = await mailDeploy(ctx, {
    tls: options.tlsCert ? { cert: options.tlsCert as string, key: options.tlsKey as string, ca: options.tlsCa as string } : undefined,
    name: args[0] as string,
    config: options.config as string | undefined,
    includeRoot: options.includeRoot as string | undefined,
    freshclam: Boolean(options.freshclam),
    external: options.with as string | undefined,
    externalTimeoutMs: parseDuration(options.timeout as string),
    onOutput: (line) => reporter.event({ type: "deployer-output", line }, `  | ${line}`),
    onEvent: (event) => {
      if (event.type === "deploy-step" && event.status === "done") {
        const what = event.changed.length ? `changed: ${event.changed.slice(0, 6).join(", ")}${event.changed.length > 6 ? ", ..." : ""}` : "no changes";
        reporter.event(event, `  ${reporter.paint("32", "✓")} ${event.step.padEnd(11)} ${seconds(event.durationMs).padStart(7)}  ${what}`);
      } else reporter.event(event);
    },
  });
  const changed = deployment.steps.some((s) => s.changed.length > 0);
  const how = deployment.deployer.kind === "external" ? ` with ${options.with} (exit ${deployment.deployer.exitCode})` : changed ? "" : " (nothing to change)";
  reporter.result(
    deployment,
    `${reporter.paint("32", "deployed")} the mail stack for ${deployment.domain} in ${seconds(deployment.durationMs)}${how}\n  msf test ${args[0]}`,
  );
  return 0;
}
