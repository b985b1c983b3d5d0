import { vmDown } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { parseDuration, seconds } from "../format.ts";

const STEPS = {
  powerdown: "ACPI power button pressed (QMP system_powerdown)",
  quit: "guest did not power off in time: QMP quit",
  kill: "QEMU did not answer: killing it",
};

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const result = await vmDown(ctx, {
    name: args[0] as string,
    graceMs: parseDuration(options.grace as string),
    onStep: (step) => reporter.event({ type: "stop-step", step }, STEPS[step]),
  });
  const how = { powerdown: "powered off cleanly", quit: "stopped with QMP quit", killed: "killed", "already-stopped": "was not running" }[result.outcome];
  reporter.result(result, `${result.name} ${how} (${seconds(result.durationMs)})`);
  return 0;
}
