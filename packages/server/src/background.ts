import { type AlertsConfig, hasChannels } from "@msf/alerts";
import { runsGc } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import { alertOnRun, watchFinishedRuns } from "./alerting.ts";
import { type ArchiveWatchOptions, watchArchive } from "./archive-watch.ts";
import type { RunLauncher } from "./launcher.ts";
import { scheduleRuns } from "./schedule.ts";

/** What msf serve does on its own: scheduled runs, and after each finished run its alerts and the retention of runs. */
export interface BackgroundOptions {
  alerts?: AlertsConfig;
  schedule?: { cron: string; timezone?: string };
  /** Keep this many finished runs per distribution (and always its last good and first bad); unset: keep all. */
  keepRuns?: number;
  /** Runs of the distributions whose archive suite changed. */
  archive?: ArchiveWatchOptions;
}

export function startBackground(ctx: MsfContext, launcher: RunLauncher | undefined, options: BackgroundOptions, signal: AbortSignal): void {
  const schedule =
    options.schedule && launcher ? scheduleRuns(ctx, launcher, options.schedule.cron, { timezone: options.schedule.timezone, signal }) : undefined;
  if (options.archive && launcher) void watchArchive(ctx, launcher, options.archive, signal);
  void watchFinishedRuns(
    ctx,
    async (runId) => {
      await afterFinishedRun(ctx, options, runId, signal);
      await schedule?.runEnded();
    },
    signal,
  );
}

/**
 * A finished run's alerts, then retention. Retention decides over this run and older ones only:
 * when the server falls behind, the runs that finished since still have the history they compare to.
 */
export async function afterFinishedRun(
  ctx: MsfContext,
  options: Pick<BackgroundOptions, "alerts" | "keepRuns">,
  runId: string,
  signal?: AbortSignal,
): Promise<void> {
  const { alerts, keepRuns } = options;
  if (alerts && hasChannels(alerts)) await alertOnRun(ctx, alerts, runId, signal);
  if (keepRuns !== undefined) await runsGc(ctx, { keep: keepRuns, upTo: runId });
}
