import { preseedRender } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { flag } from "../values.ts";

const schema = z.object({ distros: z.array(z.string()).default([]), all: flag, out: z.string().optional(), key: z.string().optional() });

export default command(schema, async ({ reporter, input }) => {
  const files = await preseedRender({ distros: input.distros, all: input.all, keyFile: input.key, out: input.out });
  const human = input.out ? files.map((file) => `wrote ${file.path}`).join("\n") : files.map((file) => `### ${file.path}\n${file.text}`).join("\n");
  reporter.result({ files: input.out ? files.map((file) => ({ path: file.path })) : files }, human);
  return EXIT_OK;
});
