import { mediaGc } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { bytes } from "../format.ts";

export default command(z.object({ keep: z.coerce.number().int().nonnegative("expected 0 or more") }), async ({ reporter, ctx, input }) => {
  const removed = await mediaGc(ctx, input.keep);
  reporter.result({ removed }, removed.length ? removed.map((e) => `removed ${e.distro ?? "-"} ${e.file} (${bytes(e.size)})`).join("\n") : "nothing to remove");
  return EXIT_OK;
});
