/**
 * Wraps a command in coreutils `timeout`, so that it cannot outlive its deadline even when msf
 * itself is SIGKILLed and nobody is left to enforce it. The supervisor's own timer fires first;
 * this is the safety net (for detached processes, the only enforcer).
 */
export function backstopArgv(command: string, args: readonly string[], deadlineMs: number, graceMs: number, foreground = false): string[] {
  const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;
  // --foreground keeps an interactive command in the terminal's process group.
  return ["timeout", ...(foreground ? ["--foreground"] : []), `--kill-after=${seconds(graceMs)}`, seconds(deadlineMs), command, ...args];
}
