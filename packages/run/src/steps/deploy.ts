import { formatMs } from "@msf/core";
import { mailDeploy } from "@msf/vm";
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
    return { vm, deployedAt: deployment.deployedAt };
  },
  cleanup: nothingToClean,
});
