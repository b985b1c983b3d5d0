import { mediaFetch } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { bytes } from "../format.ts";
import { countValue, flag } from "../values.ts";
import { mediaProgress } from "./media-progress.ts";

const schema = z.object({
  ids: z.array(z.string()).default([]),
  mirror: z.string().optional(),
  url: z.string().optional(),
  checksum: z.string().optional(),
  sums: z.string().optional(),
  sig: z.string().optional(),
  key: z.string().optional(),
  allowUnsignedSums: flag,
  concurrency: countValue,
});

export default command(schema, async ({ reporter, ctx, input }) => {
  const fetched = await mediaFetch(ctx, { ...input, onEvent: mediaProgress(reporter) });
  const human = fetched
    .map((f) => `${f.distro}: ${f.file} ${bytes(f.size)} sha256 ${f.sha256}${f.fromCache ? " (already cached)" : ""}\n  ${f.path}`)
    .join("\n");
  reporter.result({ media: fetched }, human);
  return EXIT_OK;
});
