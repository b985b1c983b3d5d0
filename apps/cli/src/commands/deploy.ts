import { mailDeploy } from "@msf/orchestrator";
import type { CommandEnv } from "../commands.ts";
import { seconds } from "../format.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const deployment = await mailDeploy(ctx, {
    name: args[0] as string,
    config: options.config as string | undefined,
    freshclam: Boolean(options.freshclam),
    onEvent: (event) => {
      if (event.type === "deploy-step" && event.status === "done") {
        const what = event.changed.length ? `changed: ${event.changed.slice(0, 6).join(", ")}${event.changed.length > 6 ? ", ..." : ""}` : "no changes";
        reporter.event(event, `  ${reporter.paint("32", "✓")} ${event.step.padEnd(11)} ${seconds(event.durationMs).padStart(7)}  ${what}`);
      } else reporter.event(event);
    },
  });
  const changed = deployment.steps.some((s) => s.changed.length > 0);
  reporter.result(
    deployment,
    `${reporter.paint("32", "deployed")} the mail stack for ${deployment.domain} in ${seconds(deployment.durationMs)}${changed ? "" : " (nothing to change)"}\n  msf test ${args[0]}`,
  );
  return 0;
}
