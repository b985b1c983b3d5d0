import { MsfError } from "@msf/core";
import { mailDeploy } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { seconds } from "../format.ts";
import { durationValue, flag } from "../values.ts";

const schema = z.object({
  name: z.string(),
  config: z.string().optional(),
  includeRoot: z.string().optional(),
  freshclam: flag,
  with: z.string().optional(),
  timeout: durationValue,
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  tlsCa: z.string().optional(),
});

export default command(schema, async ({ reporter, ctx, input }) => {
  const { tlsCert: cert, tlsKey: key, tlsCa: ca } = input;
  if ((cert || key || ca) && !(cert && key && ca)) throw new MsfError("ERR_MSF_USAGE", "--tls-cert, --tls-key and --tls-ca go together");
  const stop = reporter.keepAlive(() => `deploying the mail stack into ${input.name}`);
  const deployment = await mailDeploy(ctx, {
    name: input.name,
    tls: cert && key && ca ? { cert, key, ca } : undefined,
    config: input.config,
    includeRoot: input.includeRoot,
    freshclam: input.freshclam,
    external: input.with,
    externalTimeoutMs: input.timeout,
    onOutput: (line) => reporter.event({ type: "deployer-output", line }, `  | ${line}`),
    onEvent: (event) => {
      if (event.type === "deploy-step" && event.status === "done") {
        const what = event.changed.length ? `changed: ${event.changed.slice(0, 6).join(", ")}${event.changed.length > 6 ? ", ..." : ""}` : "no changes";
        reporter.event(event, `  ${reporter.paint("green", "✓")} ${event.step.padEnd(11)} ${seconds(event.durationMs).padStart(7)}  ${what}`);
      } else reporter.event(event);
    },
  }).finally(stop);
  const changed = deployment.steps.some((s) => s.changed.length > 0);
  const how = deployment.deployer.kind === "external" ? ` with ${input.with} (exit ${deployment.deployer.exitCode})` : changed ? "" : " (nothing to change)";
  reporter.result(
    deployment,
    `${reporter.paint("green", "deployed")} the mail stack for ${deployment.domain} in ${seconds(deployment.durationMs)}${how}\n  msf test ${input.name}`,
  );
  return EXIT_OK;
});
