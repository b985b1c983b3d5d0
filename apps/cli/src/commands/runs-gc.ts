import { runsGc } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { flag } from "../values.ts";

const schema = z.object({
  keep: z.coerce.number().int("expected a whole number").positive("expected 1 or more"),
  dryRun: flag,
});

export default command(schema, async ({ reporter, ctx, input }) => {
  const { removed, kept } = await runsGc(ctx, { keep: input.keep, dryRun: input.dryRun });
  const verb = input.dryRun ? "would remove" : "removed";
  const lines = [...removed.map((runId) => `${verb} run ${runId}`), `${kept} runs kept`];
  reporter.result({ removed, kept, dryRun: input.dryRun }, lines.join("\n"));
  return EXIT_OK;
});
