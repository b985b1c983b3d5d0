import { mediaList } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { table } from "../format.ts";

export default command(z.object({}), async ({ reporter, ctx }) => {
  const rows = await mediaList(ctx);
  const human = table(
    ["id", "name", "installer", "media", "cached", "notes"],
    rows.map((r) => [
      r.id,
      r.name,
      r.bootstrap && r.installer !== "bootstrap" ? `${r.installer} + bootstrap` : r.installer,
      r.approxSizeMiB ? `~${(r.approxSizeMiB / 1024).toFixed(1)} GiB` : "-",
      r.cached.length ? r.cached.map((c) => c.file).join(", ") : "-",
      [r.lifecycle.note, r.userProvided ? "user-provided ISO (msf iso fetch shows how)" : ""].filter(Boolean).join("; "),
    ]),
  );
  reporter.result({ distributions: rows }, human);
  return EXIT_OK;
});
