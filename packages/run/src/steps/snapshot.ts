import type { Distribution } from "@msf/catalog";
import { DEFAULT_MESSAGE_SIZE_LIMIT, recipeFingerprint } from "@msf/mailtest";
import type { StoredImage } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { machineFingerprint, type SnapshotKeyInput, vmAccelerator } from "@msf/vm";
import type { RunConfig } from "../config.ts";

/** What a distribution's ready snapshot must match: its golden image, this host's accelerator, the machine, the deployment. */
export async function snapshotKeyFor(ctx: MsfContext, config: RunConfig, distribution: Distribution, image: StoredImage): Promise<SnapshotKeyInput> {
  const { accel } = await vmAccelerator(ctx, image);
  const deployment = recipeFingerprint({
    family: distribution.packageFamily,
    setup: config.mail,
    emulated: accel === "tcg",
    messageSizeLimit: DEFAULT_MESSAGE_SIZE_LIMIT,
  });
  const { memoryMiB, cpus } = distribution.resources;
  return { imageKey: image.manifest.key, accel, memoryMiB, cpus, machine: machineFingerprint(distribution, image, accel), deployment };
}
