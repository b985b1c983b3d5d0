import { mediaVerify } from "@msf/iso";
import type { CommandEnv } from "../commands.ts";

export async function run({ reporter, ctx, args }: CommandEnv): Promise<number> {
  const results = await mediaVerify(ctx, (args[0] as string[] | undefined) ?? []);
  const bad = results.filter((r) => !r.ok);
  const human = results.length
    ? results
        .map(
          (r) =>
            `${r.ok ? reporter.paint("32", "ok") : reporter.paint("31", "BAD")}  ${r.entry.distro ?? "-"}  ${r.entry.file}${r.problem ? `: ${r.problem}` : ""}`,
        )
        .join("\n")
    : "nothing cached (msf iso fetch <id>)";
  reporter.result({ results, ok: bad.length === 0 }, human);
  return bad.length ? 9 : 0;
}
