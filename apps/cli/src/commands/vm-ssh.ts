import { interactiveSshArgs, requireRunningVm, vmExec } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { durationValue } from "../values.ts";

const schema = z.object({ name: z.string(), command: z.array(z.string()).default([]), timeout: durationValue });

/** Exits with the remote command's own code (124 when it timed out, 255 when there was none), like ssh. */
export default command(schema, async ({ reporter, ctx, input }) => {
  if (input.command.length === 0) {
    const state = await requireRunningVm(ctx, input.name);
    const result = await ctx.supervisor.run({
      name: `ssh-${input.name}`,
      command: "ssh",
      args: interactiveSshArgs(state),
      timeoutMs: input.timeout,
      interactive: true,
    });
    return result.exitCode ?? 255;
  }
  // Like ssh: the words form one command line for the remote shell.
  const result = await vmExec(ctx, {
    name: input.name,
    command: input.command.join(" "),
    timeoutMs: input.timeout,
    onStdout: (chunk) => reporter.passThrough("stdout", chunk),
    onStderr: (chunk) => reporter.passThrough("stderr", chunk),
  });
  if (reporter.json) reporter.result({ name: input.name, ...result }, "");
  else if (result.timedOut) reporter.error(new Error(`\`${result.command}\` timed out after ${input.timeout / 1000} s`));
  return result.exitCode ?? (result.timedOut ? 124 : 255);
});
