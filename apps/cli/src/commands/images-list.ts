import { imagesList } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { bytes, table } from "../format.ts";
import { distroIds } from "../values.ts";

/** The stack's versions in a few words: "postfix 3.7.11-0+deb12u1, dovecot 2.3.19.1..., ...". */
const SUMMARY = ["postfix", "dovecot", "postgresql", "rspamd"];

export default command(z.object({ distros: distroIds }), async ({ reporter, ctx, input }) => {
  const images = await imagesList(ctx, input.distros);
  const human = images.length
    ? table(
        ["distro", "key", "built", "size", "versions", "pinned", "last run", "in use by"],
        images.map((i) => [
          i.distro,
          i.key,
          i.builtAt.slice(0, 16).replace("T", " "),
          bytes(i.sizeBytes),
          i.stack
            .filter((v) => SUMMARY.includes(v.component) && v.version)
            .map((v) => `${v.component} ${v.version}`)
            .join(", ") || "-",
          i.pinned ? "last-good" : "",
          i.lastRun ?? "-",
          i.usedBy.join(", ") || "-",
        ]),
      )
    : "no images yet (msf vm up <distro> or msf run builds them)";
  reporter.result({ images }, human);
  return EXIT_OK;
});
