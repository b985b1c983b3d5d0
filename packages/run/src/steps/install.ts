import { existsSync } from "node:fs";
import { join } from "node:path";
import { SuiteStateSchema } from "@msf/iso";
import { goldenImage, install as installFromMedia } from "@msf/vm";
import { z } from "zod";
import { defineStep, hostResources, nothingToClean, vmResources } from "../step.ts";

const ChoiceSchema = z.object({
  image: z.string().optional(),
  offline: z.boolean().optional(),
  refresh: z.boolean().optional(),
  acceptExpired: z.boolean().optional(),
  withoutUpdates: z.boolean().optional(),
});

/**
 * The golden image: the one the plan chose (the archive's state it checked, a pinned or named image,
 * offline the newest cached one), built from the archive when missing (mmdebstrap), or installed
 * from media by the distribution's own installer in a VM. Either ends its own processes when cancelled.
 */
export const install = defineStep({
  phase: "install",
  holdsVm: false,
  resources: (distribution, budget, bootstrap) => (bootstrap ? hostResources(1)() : vmResources(distribution, budget)),
  input: z.object({ iso: z.string().optional(), choice: ChoiceSchema.default({}), suites: z.array(SuiteStateSchema).optional() }),
  output: z.object({ imageDir: z.string(), key: z.string(), built: z.boolean(), stale: z.string().optional() }),
  async run({ ctx, config, distribution, bootstrap, onLine }, { iso, choice, suites }) {
    if (bootstrap || choice.image) {
      const { image, built, stale } = await goldenImage(ctx, distribution, {
        ...choice,
        suites,
        onEvent: (event) => {
          if (event.type === "build-step") onLine(`${event.step} ${event.status}`);
          if (event.type === "image-stale") onLine(event.message);
        },
      });
      return { imageDir: image.dir, key: image.manifest.key, built, stale };
    }
    const result = await installFromMedia(ctx, {
      distro: distribution.id,
      from: "iso",
      iso,
      mirror: config.mirror,
      onEvent: (event) => event.type === "install-retry" && onLine(event.message),
    });
    return { imageDir: result.image.dir, key: result.image.key, built: true };
  },
  cleanup: nothingToClean,
  holds: async (_step, { imageDir }) => existsSync(join(imageDir, "manifest.json")),
});
