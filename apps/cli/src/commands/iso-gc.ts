import { mediaGc } from "@msf/iso";
import type { CommandEnv } from "../commands.ts";
import { bytes } from "../format.ts";

export async function run({ reporter, ctx, options }: CommandEnv): Promise<number> {
  const removed = await mediaGc(ctx, Number(options.keep));
  reporter.result({ removed }, removed.length ? removed.map((e) => `removed ${e.distro ?? "-"} ${e.file} (${bytes(e.size)})`).join("\n") : "nothing to remove");
  return 0;
}
