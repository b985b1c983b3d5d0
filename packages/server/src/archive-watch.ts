import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MsfError } from "@msf/core";
import { checkSuites, type SuiteSource } from "@msf/iso";
import type { MsfContext } from "@msf/supervisor";
import type { RunLauncher } from "./launcher.ts";

export interface ArchiveWatchOptions {
  /** Per distribution, the suites its image is built from. */
  sources: Record<string, SuiteSource[]>;
  intervalMs: number;
  /** Keys the InRelease must be signed with (default: Debian's archive keys). */
  keys?: string[];
}

const suiteKey = (source: SuiteSource) => `${source.mirror} ${source.suite}`;

/**
 * Checks the signed InRelease of every suite at an interval; when one changed since the last check,
 * starts a run of just the distributions built from it, the change as its reason. The first check
 * is the baseline. A change that cannot start (a run holds the state directory) is tried again.
 */
export async function watchArchive(ctx: MsfContext, launcher: RunLauncher, options: ArchiveWatchOptions, signal: AbortSignal): Promise<void> {
  const suites = [...new Map(Object.values(options.sources).flatMap((list) => list.map((s) => [suiteKey(s), s] as const))).values()];
  let seen: Map<string, string> | undefined;
  while (!signal.aborted) {
    try {
      const states = await checkSuites(suites, {
        supervisor: ctx.supervisor,
        cacheDir: join(ctx.paths.state, "archive-watch"),
        refresh: true,
        keys: options.keys,
        signal,
      });
      const now = new Map(states.map((state) => [suiteKey(state), state.digest]));
      const changed = seen ? [...now.keys()].filter((key) => seen?.has(key) && seen.get(key) !== now.get(key)) : [];
      const distros = Object.entries(options.sources)
        .filter(([, list]) => list.some((source) => changed.includes(suiteKey(source))))
        .map(([id]) => id);
      let started = true;
      if (distros.length) {
        const reason = `archive change: ${changed.map((key) => key.split(" ")[1]).join(", ")} (${changed.map((key) => `${seen?.get(key)} -> ${now.get(key)}`).join(", ")})`;
        started = await launcher.start({ distros, reason }).then(
          ({ runId }) => {
            ctx.logger.info("run started on an archive change", { runId, distros, reason });
            return true;
          },
          (error: Error) => {
            if (!(error instanceof MsfError && error.code === "ERR_MSF_LOCKED")) throw error;
            return false;
          },
        );
      }
      // Not started: the changed suites keep their old state, so the next check sees the change again.
      if (!started) for (const key of changed) now.set(key, seen?.get(key) as string);
      seen = now;
    } catch (error) {
      ctx.logger.warn("archive check failed; trying again at the next interval", { error: (error as Error).message });
    }
    await sleep(options.intervalMs, undefined, { signal }).catch(() => undefined);
  }
}
