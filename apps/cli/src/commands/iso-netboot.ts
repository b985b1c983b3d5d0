import { MsfError } from "@msf/core";
import { mediaNetboot } from "@msf/iso";
import type { CommandEnv } from "../commands.ts";
import { progressPrinter } from "./progress.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  if (!options.out) throw new MsfError("ERR_MSF_USAGE", "--out <dir> is required");
  const files = await mediaNetboot(ctx, {
    id: args[0] as string,
    out: options.out as string,
    mirror: options.mirror as string | undefined,
    onEvent: progressPrinter(reporter),
  });
  reporter.result(files, `kernel ${files.kernel}\ninitrd ${files.initrd}\n(archive signed by ${files.signedBy})`);
  return 0;
}
