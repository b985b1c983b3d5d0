import { preseedValidate } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { table } from "../format.ts";

export async function run({ reporter, args }: CommandEnv): Promise<number> {
  const paths = (args[0] as string[]).length ? (args[0] as string[]) : ["preseeds"];
  const results = await preseedValidate(paths);
  const failed = results.filter((result) => result.status === "fail");
  const human = [
    table(
      ["file", "validator", "verdict"],
      results.map((r) => [r.file, r.validator, r.status === "pass" ? "pass" : `${r.status}: ${r.messages.join("; ")}`]),
    ),
    `${results.length - failed.length}/${results.length} passed${failed.length ? `, ${failed.length} failed` : ""}`,
  ].join("\n");
  reporter.result({ ok: failed.length === 0, results }, human);
  return failed.length ? EXIT_CODES.ERR_MSF_CONFIG : 0;
}
