import { isProcessAlive, MsfError } from "@msf/core";
import { findImage } from "@msf/qemu";
import { findSnapshot, readVmState, snapshotKey, vmRestore, vmUp } from "@msf/vm";
import { z } from "zod";
import { snapshotsFor } from "../config.ts";
import { defineStep, vmResources } from "../step.ts";
import { collectVm } from "./collect.ts";
import { snapshotKeyFor } from "./snapshot.ts";

/**
 * A VM of the golden image, booted to readiness, or restored from the ready snapshot an earlier run
 * saved of it (with its own keys); its cleanup collects the VM's evidence and ends it.
 */
export const boot = defineStep({
  phase: "boot",
  holdsVm: true,
  resources: vmResources,
  input: z.object({ key: z.string() }),
  output: z.object({ vm: z.string(), readyMs: z.number().optional(), alreadyRunning: z.boolean(), restoredFrom: z.string().optional() }),
  async run({ ctx, config, distribution, vmName, onLine, vmEndsWithProcess, resources }, { key }) {
    // The archive step has just re-hashed it: a size check is enough here.
    const image = await findImage(ctx.paths.images, distribution.id, key);
    if (!image) throw new MsfError("ERR_MSF_VM_BOOT", `no golden image ${distribution.id}/${key} to boot`);
    const snapshot = snapshotsFor(config, distribution.id)
      ? await findSnapshot(ctx.paths.cache, distribution.id, snapshotKey(await snapshotKeyFor(ctx, config, distribution, image, resources)))
      : undefined;
    if (snapshot) {
      const restored = await vmRestore(ctx, {
        distro: distribution.id,
        name: vmName,
        image,
        snapshot,
        lifetimeMs: 4 * 3_600_000,
        endsWithProcess: vmEndsWithProcess,
        onLine,
      });
      return { vm: vmName, readyMs: restored.readyMs, alreadyRunning: restored.alreadyRunning, restoredFrom: snapshot.manifest.key };
    }
    // The memory and vCPUs the scheduler counted (resources.cpus: 1 means one vCPU, not the catalog's two).
    const result = await vmUp(ctx, {
      distro: distribution.id,
      name: vmName,
      image,
      memoryMiB: resources.memoryMiB,
      cpus: resources.cpus,
      lifetimeMs: 4 * 3_600_000,
      endsWithProcess: vmEndsWithProcess,
      onEvent: (event) => event.type === "boot-retry" && onLine(event.message),
    });
    return { vm: vmName, readyMs: result.readyMs, alreadyRunning: result.alreadyRunning };
  },
  cleanup: async ({ ctx, vmName, vmRunDir }) => void (await collectVm(ctx, vmName, vmRunDir)),
  holds: async ({ ctx, vmName }) => {
    const vm = await readVmState(ctx.paths.vms, vmName);
    return Boolean(vm && vm.status !== "stopped" && isProcessAlive(vm.pid, vm.startTicks));
  },
});
