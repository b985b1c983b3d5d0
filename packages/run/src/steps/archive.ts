import { MsfError } from "@msf/core";
import { findImage } from "@msf/qemu";
import { z } from "zod";
import { defineStep, hostResources, nothingToClean } from "../step.ts";

/** The golden image re-hashed against its manifest before anything boots it. */
export const archive = defineStep({
  phase: "archive",
  holdsVm: false,
  resources: hostResources(1),
  input: z.object({ key: z.string() }),
  output: z.object({ sha256: z.string(), sizeBytes: z.number() }),
  async run({ ctx, distribution }, { key }) {
    const image = await findImage(ctx.paths.images, distribution.id, key, { verify: true });
    if (!image) throw new MsfError("ERR_MSF_IMAGE_CORRUPT", `the golden image ${distribution.id}/${key} is not in the cache`);
    return { sha256: image.manifest.disk.sha256, sizeBytes: image.manifest.disk.sizeBytes };
  },
  cleanup: nothingToClean,
});
