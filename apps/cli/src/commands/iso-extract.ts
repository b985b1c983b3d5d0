import { MsfError } from "@msf/core";
import { mediaExtract } from "@msf/iso";
import type { CommandEnv } from "../commands.ts";
import { progressPrinter } from "./progress.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  if (!options.out) throw new MsfError("ERR_MSF_USAGE", "--out <dir> is required");
  const boot = await mediaExtract(ctx, {
    id: args[0] as string,
    out: options.out as string,
    mirror: options.mirror as string | undefined,
    onEvent: progressPrinter(reporter),
  });
  reporter.result(boot, `kernel ${boot.kernel}\ninitrd ${boot.initrd}\nvolume id ${boot.volumeId}`);
  return 0;
}
