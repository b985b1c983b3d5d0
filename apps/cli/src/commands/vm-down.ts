import { vmDown } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { seconds } from "../format.ts";
import { durationValue } from "../values.ts";

const STEPS = {
  powerdown: "ACPI power button pressed (QMP system_powerdown)",
  quit: "guest did not power off in time: QMP quit",
  kill: "QEMU did not answer: killing it",
};

export default command(z.object({ name: z.string(), grace: durationValue }), async ({ reporter, ctx, input }) => {
  const result = await vmDown(ctx, { name: input.name, graceMs: input.grace, onStep: (step) => reporter.event({ type: "stop-step", step }, STEPS[step]) });
  const how = { powerdown: "powered off cleanly", quit: "stopped with QMP quit", killed: "killed", "already-stopped": "was not running" }[result.outcome];
  reporter.result(result, `${result.name} ${how} (${seconds(result.durationMs)})`);
  return EXIT_OK;
});
