import { cp, mkdir } from "node:fs/promises";
import type { MsfContext } from "@msf/supervisor";
import { readVmState, vmDown } from "@msf/vm";
import { z } from "zod";
import { defineStep, nothingToClean, vmResources } from "../step.ts";

/** Ends the VM (which removes its keys, secrets and overlay), then copies its console, logs and check results into the run directory. */
export async function collectVm(ctx: MsfContext, name: string, vmRunDir: string): Promise<{ collected: boolean; dir?: string }> {
  const state = await readVmState(ctx.paths.vms, name);
  if (!state) return { collected: false };
  // QMP quit, no clean shutdown: the overlay is thrown away, and powering off costs 5-7 s under TCG.
  if (state.status !== "stopped") await vmDown(ctx, { name, graceMs: 0 });
  await mkdir(vmRunDir, { recursive: true });
  // A second guard: nothing secret is copied even if a VM directory still holds it.
  await cp(state.dir, vmRunDir, { recursive: true, filter: (source) => !/(\.qcow2|id_ed25519|_key|secrets\.json|\.sock)$/.test(source) });
  return { collected: true, dir: vmRunDir };
}

export const collect = defineStep({
  phase: "collect",
  holdsVm: true,
  resources: vmResources,
  input: z.object({}),
  output: z.object({ collected: z.boolean(), dir: z.string().optional() }),
  run: ({ ctx, vmName, vmRunDir }) => collectVm(ctx, vmName, vmRunDir),
  cleanup: nothingToClean,
});
