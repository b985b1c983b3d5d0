import { mediaExtract } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { mediaProgress } from "./media-progress.ts";

const schema = z.object({ id: z.string(), out: z.string({ message: "required: where to put the kernel and initrd" }), mirror: z.string().optional() });

export default command(schema, async ({ reporter, ctx, input }) => {
  const boot = await mediaExtract(ctx, { ...input, onEvent: mediaProgress(reporter) });
  reporter.result(boot, `kernel ${boot.kernel}\ninitrd ${boot.initrd}\nvolume id ${boot.volumeId}`);
  return EXIT_OK;
});
