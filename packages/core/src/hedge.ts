import { AbortedError } from "./errors.ts";

export interface HedgeOptions<T> {
  /** Stops the attempts; the promise rejects with AbortedError (naming the last failure, also as `details.lastFailure`). */
  signal?: AbortSignal;
  /** A new attempt starts this often while no attempt has succeeded. */
  intervalMs: number;
  /** Attempts in flight at most. */
  maxPending: number;
  /** Releases what a losing attempt produced after the race was decided (a socket, a session). */
  dispose?: (value: T) => void;
  /** Names what is being waited for, in the abort error. */
  what: string;
}

/**
 * Races overlapping attempts until one succeeds: a new attempt starts every `intervalMs` while
 * earlier ones are still pending or have failed, so one that stalls (a connection stuck in SYN
 * retries, a login on a guest still busy booting) does not hold up a fresh one. Each attempt gets
 * a signal that fires once the race is decided.
 */
export function hedge<T>(
  attempt: (signal: AbortSignal, index: number) => Promise<T>,
  options: HedgeOptions<T>,
): Promise<{ value: T; attempts: number; failures: string[] }> {
  return new Promise((resolve, reject) => {
    const decided = new AbortController();
    let attempts = 0;
    let pending = 0;
    const failures: string[] = [];
    const finish = (outcome: () => void) => {
      if (decided.signal.aborted) return;
      decided.abort();
      clearInterval(timer);
      options.signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const onAbort = () =>
      finish(() => {
        const lastFailure = failures.at(-1);
        reject(new AbortedError(`${options.what} (${attempts} attempts; last: ${lastFailure ?? "none finished"})`, { details: { attempts, lastFailure } }));
      });
    const launch = () => {
      if (decided.signal.aborted || pending >= options.maxPending) return;
      const index = attempts++;
      pending++;
      attempt(decided.signal, index).then(
        (value) => {
          pending--;
          if (decided.signal.aborted) options.dispose?.(value);
          else finish(() => resolve({ value, attempts, failures }));
        },
        (error: unknown) => {
          pending--;
          if (!decided.signal.aborted) failures.push(`#${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    };
    const timer = setInterval(launch, options.intervalMs);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    else launch();
  });
}
