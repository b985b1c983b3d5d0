import { interactiveSshArgs, requireRunningVm, vmExec } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { parseDuration } from "../format.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const name = args[0] as string;
  const words = (args[1] as string[] | undefined) ?? [];
  const timeoutMs = parseDuration(options.timeout as string);
  if (words.length === 0) return interactive(ctx, name, timeoutMs);
  // Like ssh: the words form one command line for the remote shell.
  const result = await vmExec(ctx, {
    name,
    command: words.join(" "),
    timeoutMs,
    onStdout: reporter.json ? undefined : (chunk) => process.stdout.write(chunk),
    onStderr: reporter.json ? undefined : (chunk) => process.stderr.write(chunk),
  });
  const exitCode = result.exitCode ?? (result.timedOut ? 124 : 255);
  if (reporter.json) reporter.result({ name, ...result }, "");
  else if (result.timedOut) reporter.error(new Error(`\`${result.command}\` timed out after ${options.timeout}`));
  return exitCode;
}

async function interactive(ctx: CommandEnv["ctx"], name: string, timeoutMs: number): Promise<number> {
  const state = await requireRunningVm(ctx, name);
  const result = await ctx.supervisor.run({ name: `ssh-${name}`, command: "ssh", args: interactiveSshArgs(state), timeoutMs, interactive: true });
  return result.exitCode ?? 255;
}
