import { formatMs, MsfError } from "@msf/core";
import type { MsfContext } from "@msf/supervisor";
import { connectVm, mailDeploy, requireRunningVm } from "@msf/vm";
import { z } from "zod";
import { defineStep, nothingToClean, vmResources } from "../step.ts";

/** The mail stack deployed into the run's VM (idempotent: a rerun after a crash changes only what is missing). */
export const deploy = defineStep({
  phase: "deploy",
  holdsVm: true,
  resources: vmResources,
  input: z.object({ vm: z.string() }),
  output: z.object({ vm: z.string(), deployedAt: z.string() }),
  async run({ ctx, config, onLine }, { vm }) {
    const deployment = await mailDeploy(ctx, {
      name: vm,
      setup: config.mail,
      onOutput: onLine,
      onEvent: (event) => event.type === "deploy-step" && event.status === "done" && onLine(`${event.step} done in ${formatMs(event.durationMs)}`),
    });
    await runAfterDeploy(ctx, vm, config.afterDeploy, onLine);
    return { vm, deployedAt: deployment.deployedAt };
  },
  cleanup: nothingToClean,
});

/** The configuration's own commands after the recipe, as argv over the VM's SSH, each with a deadline. */
async function runAfterDeploy(ctx: MsfContext, vm: string, commands: readonly string[][], onLine: (line: string) => void): Promise<void> {
  if (!commands.length) return;
  const session = await connectVm(await requireRunningVm(ctx, vm), { signal: ctx.signal });
  try {
    for (const argv of commands) {
      const result = await session.exec(argv, { timeoutMs: 600_000, signal: ctx.signal });
      onLine(`afterDeploy: ${argv.join(" ")} exited ${result.exitCode}`);
      if (result.exitCode !== 0) {
        throw new MsfError("ERR_MSF_DEPLOY", `afterDeploy: ${argv.join(" ")} exited ${result.exitCode}: ${result.stderr.trim().slice(-500)}`, {
          hint: "fix the command in msf.config.yaml's afterDeploy",
        });
      }
    }
  } finally {
    session.close();
  }
}
