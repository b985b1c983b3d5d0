import { rename } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Signals by which QEMU itself crashes; msf ends a QEMU only with SIGTERM or SIGKILL. */
const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT", "SIGFPE"]);

/** The signal QEMU crashed by, read from anything with a `signal` (its RunResult, an error's details). */
export function qemuCrashSignal(exit: unknown): string | undefined {
  const signal = (exit as { signal?: unknown } | null | undefined)?.signal;
  return typeof signal === "string" && CRASH_SIGNALS.has(signal) ? signal : undefined;
}

export interface OneMoreTryOptions {
  /** The attempt's console: kept as `serial-<attempt>.log` beside it before the next try. */
  serialLog: string;
  /** Why the failure was chance (a crash, a panic) and is worth one more try; undefined: it is not. */
  reason: (error: unknown) => string | undefined;
  onRetry: (retry: { attempt: number; serialLog: string; why: string }) => void;
  /** Tries in all (default 2). */
  attempts?: number;
}

/**
 * Runs `attempt` once more when it failed by chance (QEMU crashing, a guest kernel panicking under
 * TCG): the first console stays as evidence, and a second such failure is the verdict.
 */
export async function oneMoreTry<T>(options: OneMoreTryOptions, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const why = options.reason(error);
      if (tries >= (options.attempts ?? 2) || !why) throw error;
      const kept = join(dirname(options.serialLog), `serial-${tries}.log`);
      await rename(options.serialLog, kept);
      options.onRetry({ attempt: tries, serialLog: kept, why });
    }
  }
}
