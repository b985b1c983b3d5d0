import { formatMs, MsfError } from "@msf/core";
import { findImage } from "@msf/qemu";
import { UPGRADE_VERDICT, upgradeFindings } from "@msf/report";
import { vmUpgrade } from "@msf/vm";
import { z } from "zod";
import { defineStep, vmResources } from "../step.ts";
import { collectVm } from "./collect.ts";
import { recordChecks } from "./test.ts";

/**
 * The distribution upgraded in place to the next release (`msf run --matrix upgrades`): deploy,
 * check, fill the mailboxes, upgrade, reboot, check again, compare. The VM's evidence (the hop's
 * report row, its logs, the mail states) lands in the run directory; the checks after, as the test
 * step writes them.
 */
export const upgrade = defineStep({
  phase: "upgrade",
  holdsVm: true,
  resources: vmResources,
  input: z.object({ key: z.string(), to: z.string() }),
  output: z.object({ hop: z.string(), verdict: z.enum(["survived", "repaired-by-redeploy", "broken"]), row: z.string() }),
  async run({ ctx, config, distribution, vmName, vmRunDir, onLine, resources }, { key, to }) {
    const image = await findImage(ctx.paths.images, distribution.id, key);
    if (!image) throw new MsfError("ERR_MSF_VM_BOOT", `no golden image ${distribution.id}/${key} to upgrade`);
    try {
      const result = await vmUpgrade(ctx, {
        from: distribution.id,
        to: [to],
        name: vmName,
        image,
        memoryMiB: resources.memoryMiB,
        cpus: resources.cpus,
        setup: config.mail,
        onEvent: (event) => {
          if (event.type === "stage" && event.status === "done") onLine(`${event.stage} done in ${formatMs(event.ms ?? 0)}`);
          if (event.type === "upgrade-step" && event.status !== "started") onLine(`${event.step} ${event.status} in ${formatMs(event.ms ?? 0)}`);
          if (event.type === "progress") onLine(`${event.what}...`);
        },
      });
      // As the test step leaves them: the checks after the upgrade, and the versions they ran against.
      if (result.checksAfter) await recordChecks(ctx, vmRunDir, result.checksAfter, onLine);
      const [hop] = result.hops;
      if (!hop) throw new MsfError("ERR_MSF_CHECKS_FAILED", `${distribution.id} -> ${to}: no hop was run`);
      const row = `vms/${distribution.id}/upgrade/${hop.from}-to-${hop.to}.json`;
      if (hop.verdict !== "survived") {
        // Named in the message: the journal, status and report say what broke without opening the row.
        throw new MsfError("ERR_MSF_CHECKS_FAILED", `${hop.hop}: ${UPGRADE_VERDICT[hop.verdict]}:\n  ${upgradeFindings(hop).slice(0, 12).join("\n  ")}`, {
          details: { row },
        });
      }
      return { hop: hop.hop, verdict: hop.verdict, row };
    } finally {
      await collectVm(ctx, vmName, vmRunDir);
    }
  },
  cleanup: async ({ ctx, vmName, vmRunDir }) => void (await collectVm(ctx, vmName, vmRunDir)),
});
