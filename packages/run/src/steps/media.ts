import { mediaIso } from "@msf/iso";
import { z } from "zod";
import { defineStep, hostResources, nothingToClean } from "../step.ts";

/** The distribution's install medium, fetched and verified (a partial download is resumed, not cleaned). */
export const media = defineStep({
  phase: "media",
  holdsVm: false,
  resources: hostResources(0),
  input: z.object({}),
  output: z.object({ iso: z.string() }),
  run: async ({ ctx, config, distribution }) => ({ iso: await mediaIso(ctx, { id: distribution.id, mirror: config.mirror }) }),
  cleanup: nothingToClean,
});
