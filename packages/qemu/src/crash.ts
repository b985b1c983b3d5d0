/** Signals by which QEMU itself crashes; msf ends a QEMU only with SIGTERM or SIGKILL. */
const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT", "SIGFPE"]);

/** The signal QEMU crashed by, read from anything with a `signal` (its RunResult, an error's details). */
export function qemuCrashSignal(exit: unknown): string | undefined {
  const signal = (exit as { signal?: unknown } | null | undefined)?.signal;
  return typeof signal === "string" && CRASH_SIGNALS.has(signal) ? signal : undefined;
}
