import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureBootstrapImage } from "@msf/preseed";
import { imageRecipeFor, install as installFromMedia } from "@msf/vm";
import { z } from "zod";
import { defineStep, hostResources, nothingToClean, vmResources } from "../step.ts";

/**
 * The golden image: built from the archive (mmdebstrap; reused when cached) or installed from media
 * by the distribution's own installer in a VM. Either ends its own processes when cancelled.
 */
export const install = defineStep({
  phase: "install",
  holdsVm: false,
  resources: (distribution, budget, bootstrap) => (bootstrap ? hostResources(1)() : vmResources(distribution, budget)),
  input: z.object({ iso: z.string().optional() }),
  output: z.object({ imageDir: z.string(), key: z.string(), built: z.boolean() }),
  async run({ ctx, config, distribution, bootstrap, onLine }, { iso }) {
    if (bootstrap) {
      const { image, built } = await ensureBootstrapImage({
        recipe: imageRecipeFor(distribution),
        imagesDir: ctx.paths.images,
        supervisor: ctx.supervisor,
        timeoutScale: ctx.timeoutScale,
        onEvent: (event) => event.type === "build-step" && onLine(`${event.step} ${event.status}`),
      });
      return { imageDir: image.dir, key: image.manifest.key, built };
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
