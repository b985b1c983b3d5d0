import { mediaVerify } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { flag } from "../values.ts";

export default command(z.object({ ids: z.array(z.string()).default([]), all: flag }), async ({ reporter, ctx, input }) => {
  const results = await mediaVerify(ctx, input.all ? [] : input.ids);
  const bad = results.filter((r) => !r.ok);
  const line = (r: (typeof results)[number]) =>
    `${r.ok ? reporter.paint("green", "ok") : reporter.paint("red", "BAD")}  ${r.entry.distro ?? "-"}  ${r.entry.file}${r.problem ? `: ${r.problem}` : ""}`;
  reporter.result({ results, ok: bad.length === 0 }, results.length ? results.map(line).join("\n") : "nothing cached (msf iso fetch <id>)");
  return bad.length ? exitFor("ERR_MSF_CHECKSUM_MISMATCH") : EXIT_OK;
});
