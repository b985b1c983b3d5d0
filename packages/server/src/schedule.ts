import { MsfError } from "@msf/core";
import type { MsfContext } from "@msf/supervisor";
import { Cron } from "croner";
import type { RunLauncher } from "./launcher.ts";

/**
 * Starts the configured matrix on a cron schedule. A tick while a run holds the state directory is
 * queued once (not stacked): the queued run starts when that run has ended.
 */
export function scheduleRuns(ctx: MsfContext, launcher: RunLauncher, pattern: string, options: { timezone?: string; signal: AbortSignal }) {
  let queued = false;
  const start = async (why: string) => {
    try {
      const { runId } = await launcher.start({});
      queued = false;
      ctx.logger.info("scheduled run started", { runId, why });
    } catch (error) {
      if (!(error instanceof MsfError && error.code === "ERR_MSF_LOCKED")) throw error;
      if (!queued) ctx.logger.info("a scheduled run waits for the running one", { pattern });
      queued = true;
    }
  };
  const cron = new Cron(
    pattern,
    { timezone: options.timezone, protect: true, catch: (error) => ctx.logger.error("scheduled run", { error: String(error) }) },
    () => start("schedule"),
  );
  options.signal.addEventListener("abort", () => cron.stop(), { once: true });
  return {
    /** After a run ends: the queued run, if a tick fell while it ran. */
    runEnded: async () => {
      if (queued) await start("queued while another run ran");
    },
  };
}

/** Pure: whether a cron pattern is one croner takes (an error naming the pattern otherwise). */
export function validateSchedule(pattern: string, timezone?: string): void {
  try {
    new Cron(pattern, { timezone, paused: true }).stop();
  } catch (error) {
    throw new MsfError("ERR_MSF_CONFIG", `schedule "${pattern}": ${(error as Error).message}`, { hint: 'a cron expression, e.g. "0 3 * * *" (03:00 daily)' });
  }
}
