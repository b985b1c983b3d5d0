import { formatMs, MsfError } from "@msf/core";
import { findImage } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { connectVm, mailDeploy, requireRunningVm, saveSnapshot } from "@msf/vm";
import { z } from "zod";
import { snapshotsFor } from "../config.ts";
import { defineStep, nothingToClean, vmResources } from "../step.ts";
import { snapshotKeyFor } from "./snapshot.ts";

/**
 * The mail stack deployed into the run's VM (idempotent: a rerun after a crash changes only what is
 * missing). Over a restored snapshot only what is this VM's own is made anew: TLS, DKIM, passwords.
 * A VM booted and deployed from scratch is saved as the next runs' ready snapshot first.
 */
export const deploy = defineStep({
  phase: "deploy",
  holdsVm: true,
  resources: vmResources,
  input: z.object({ vm: z.string(), key: z.string(), restoredFrom: z.string().optional() }),
  output: z.object({ vm: z.string(), deployedAt: z.string(), snapshot: z.string().optional() }),
  async run({ ctx, config, distribution, onLine, resources }, { vm, key, restoredFrom }) {
    const deployment = await mailDeploy(ctx, {
      name: vm,
      setup: config.mail,
      rotate: Boolean(restoredFrom),
      onOutput: onLine,
      onEvent: (event) => event.type === "deploy-step" && event.status === "done" && onLine(`${event.step} done in ${formatMs(event.durationMs)}`),
    });
    const image = snapshotsFor(config, distribution.id) && !restoredFrom ? await findImage(ctx.paths.images, distribution.id, key) : undefined;
    // Before the site's own commands: the snapshot is msf's deployment alone.
    const snapshot = image ? await saveSnapshot(ctx, { name: vm, key: await snapshotKeyFor(ctx, config, distribution, image, resources) }) : undefined;
    if (snapshot)
      onLine(
        `ready snapshot ${snapshot.manifest.key}: settled in ${formatMs(snapshot.manifest.settleMs ?? 0)}, ${formatMs(snapshot.manifest.saveMs)} to save ${Math.round(snapshot.manifest.stateBytes / 2 ** 20)} MiB of memory`,
      );
    await runAfterDeploy(ctx, vm, config.afterDeploy, onLine);
    return { vm, deployedAt: deployment.deployedAt, snapshot: snapshot?.manifest.key ?? restoredFrom };
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
