import { isProcessAlive, MsfError } from "@msf/core";
import { findImage } from "@msf/qemu";
import { readVmState, vmUp } from "@msf/vm";
import { z } from "zod";
import { defineStep, vmResources } from "../step.ts";
import { collectVm } from "./collect.ts";

/** A VM of the golden image, booted to readiness; its cleanup collects the VM's evidence and ends it. */
export const boot = defineStep({
  phase: "boot",
  holdsVm: true,
  resources: vmResources,
  input: z.object({ key: z.string() }),
  output: z.object({ vm: z.string(), readyMs: z.number().optional(), alreadyRunning: z.boolean() }),
  async run({ ctx, distribution, vmName, onLine, vmEndsWithProcess }, { key }) {
    // The archive step has just re-hashed it: a size check is enough here.
    const image = await findImage(ctx.paths.images, distribution.id, key);
    if (!image) throw new MsfError("ERR_MSF_VM_BOOT", `no golden image ${distribution.id}/${key} to boot`);
    const result = await vmUp(ctx, {
      distro: distribution.id,
      name: vmName,
      image,
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
