import { loadRunConfig } from "@msf/run";
import type { CommandEnv } from "../commands.ts";

export async function run({ reporter, options }: CommandEnv): Promise<number> {
  const { config, source } = await loadRunConfig({ cwd: process.cwd(), file: options.config as string | undefined });
  reporter.result({ source: source ?? null, config }, `# ${source ?? "built-in defaults (no msf.config.yaml here)"}\n${JSON.stringify(config, null, 2)}`);
  return 0;
}
