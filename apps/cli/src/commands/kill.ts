import { killProcess } from "@msf/supervisor";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { durationValue } from "../values.ts";

export default command(z.object({ name: z.string(), grace: durationValue }), async ({ reporter, ctx, input }) => {
  const killed = await killProcess(ctx, input.name, input.grace);
  const how = (k: (typeof killed)[number]) =>
    k.wasRunning ? (k.forced ? "killed with SIGKILL after SIGTERM was ignored" : "ended with SIGTERM") : "had already ended";
  reporter.result({ killed }, killed.map((k) => `${k.name} (pid ${k.pid}): ${how(k)}`).join("\n"));
  return EXIT_OK;
});
