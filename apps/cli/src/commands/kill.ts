import { killProcess } from "@msf/supervisor";
import type { CommandEnv } from "../commands.ts";
import { parseDuration } from "../format.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const killed = await killProcess(ctx, args[0] as string, parseDuration(options.grace as string));
  const human = killed
    .map(
      (k) =>
        `${k.name} (pid ${k.pid}): ${k.wasRunning ? (k.forced ? "killed with SIGKILL after SIGTERM was ignored" : "ended with SIGTERM") : "had already ended"}`,
    )
    .join("\n");
  reporter.result({ killed }, human);
  return 0;
}
