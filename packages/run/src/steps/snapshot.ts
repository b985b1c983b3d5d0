import type { Distribution } from "@msf/catalog";
import { DEFAULT_MESSAGE_SIZE_LIMIT, recipeFingerprint } from "@msf/mailtest";
import type { StoredImage } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { machineFingerprint, type SnapshotKeyInput, vmAccelerator } from "@msf/vm";
import type { RunConfig } from "../config.ts";
import type { Resources } from "../step.ts";

/** What a distribution's ready snapshot must match: its golden image, this host's accelerator, the VM's memory and vCPUs, the machine, the deployment. */
export async function snapshotKeyFor(
  ctx: MsfContext,
  config: RunConfig,
  distribution: Distribution,
  image: StoredImage,
  { memoryMiB, cpus }: Resources,
): Promise<SnapshotKeyInput> {
  const { accel } = await vmAccelerator(ctx, image);
  const deployment = recipeFingerprint({
    family: distribution.packageFamily,
    setup: config.mail,
    emulated: accel === "tcg",
    messageSizeLimit: DEFAULT_MESSAGE_SIZE_LIMIT,
  });
  return { imageKey: image.manifest.key, accel, memoryMiB, cpus, machine: machineFingerprint(distribution, image, accel), deployment };
}
