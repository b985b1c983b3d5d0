import { preseedValidate } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { table } from "../format.ts";

export default command(z.object({ paths: z.array(z.string()).default([]) }), async ({ reporter, input }) => {
  const results = await preseedValidate(input.paths.length ? input.paths : ["preseeds"]);
  const failed = results.filter((result) => result.status === "fail");
  const human = [
    table(
      ["file", "validator", "verdict"],
      results.map((r) => [r.file, r.validator, r.status === "pass" ? "pass" : `${r.status}: ${r.messages.join("; ")}`]),
    ),
    `${results.length - failed.length}/${results.length} passed${failed.length ? `, ${failed.length} failed` : ""}`,
  ].join("\n");
  reporter.result({ ok: failed.length === 0, results }, human);
  return failed.length ? exitFor("ERR_MSF_CONFIG") : EXIT_OK;
});
