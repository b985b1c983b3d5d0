import { mediaFetch } from "@msf/iso";
import type { CommandEnv } from "../commands.ts";
import { bytes } from "../format.ts";
import { progressPrinter } from "./progress.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const fetched = await mediaFetch(ctx, {
    ids: (args[0] as string[] | undefined) ?? [],
    mirror: options.mirror as string | undefined,
    url: options.url as string | undefined,
    checksum: options.checksum as string | undefined,
    sums: options.sums as string | undefined,
    sig: options.sig as string | undefined,
    key: options.key as string | undefined,
    allowUnsignedSums: Boolean(options.allowUnsignedSums),
    concurrency: Number(options.concurrency),
    onEvent: progressPrinter(reporter),
  });
  const human = fetched
    .map((f) => `${f.distro}: ${f.file} ${bytes(f.size)} sha256 ${f.sha256}${f.fromCache ? " (already cached)" : ""}\n  ${f.path}`)
    .join("\n");
  reporter.result({ media: fetched }, human);
  return 0;
}
