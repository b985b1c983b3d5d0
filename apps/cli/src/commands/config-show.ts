import { loadRunConfig } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";

export default command(z.object({ config: z.string().optional() }), async ({ reporter, input, cwd }) => {
  const { config, source } = await loadRunConfig({ cwd, file: input.config });
  reporter.result({ source: source ?? null, config }, `# ${source ?? "built-in defaults (no msf.config.yaml here)"}\n${JSON.stringify(config, null, 2)}`);
  return EXIT_OK;
});
