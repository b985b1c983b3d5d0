import { imagesGc } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { bytes } from "../format.ts";
import { distroIds, flag } from "../values.ts";

const schema = z.object({
  distros: distroIds,
  keep: z.coerce.number().int("expected a whole number").nonnegative("expected 0 or more"),
  dryRun: flag,
});

export default command(schema, async ({ reporter, ctx, input }) => {
  const { removed, kept, removedTrees, removedSnapshots } = await imagesGc(ctx, { keep: input.keep, distros: input.distros, dryRun: input.dryRun });
  const verb = input.dryRun ? "would remove" : "removed";
  const protectedRows = kept.filter((k) => k.pinned || k.usedBy.length);
  const lines = [
    ...removed.map((r) => `${verb} ${r.distro} ${r.key} (${bytes(r.sizeBytes)})`),
    ...removedTrees.map((tree) => `${verb} the build tree ${tree} (no image of its recipe is left)`),
    ...removedSnapshots.map((dir) => `removed the ready snapshot ${dir} (its image is gone)`),
    ...protectedRows.map(
      (k) => `kept ${k.distro} ${k.key}: ${[k.pinned ? "last known good" : "", ...k.usedBy.map((u) => `used by ${u}`)].filter(Boolean).join(", ")}`,
    ),
  ];
  reporter.result({ removed, kept, removedTrees, removedSnapshots, dryRun: input.dryRun }, lines.join("\n") || "nothing to remove");
  return EXIT_OK;
});
