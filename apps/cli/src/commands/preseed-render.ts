import { preseedRender } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";

export async function run({ reporter, args, options }: CommandEnv): Promise<number> {
  const out = options.out as string | undefined;
  const files = await preseedRender({ distros: args[0] as string[], all: Boolean(options.all), keyFile: options.key as string | undefined, out });
  const human = out ? files.map((file) => `wrote ${file.path}`).join("\n") : files.map((file) => `### ${file.path}\n${file.text}`).join("\n");
  reporter.result({ files: out ? files.map((file) => ({ path: file.path })) : files }, human);
  return 0;
}
