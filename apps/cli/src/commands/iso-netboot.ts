import { mediaNetboot } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { mediaProgress } from "./media-progress.ts";

const schema = z.object({ id: z.string(), out: z.string({ message: "required: where to put the kernel and initrd" }), mirror: z.string().optional() });

export default command(schema, async ({ reporter, ctx, input }) => {
  const files = await mediaNetboot(ctx, { ...input, onEvent: mediaProgress(reporter) });
  reporter.result(files, `kernel ${files.kernel}\ninitrd ${files.initrd}\n(archive signed by ${files.signedBy})`);
  return EXIT_OK;
});
