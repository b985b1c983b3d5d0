import type { QmpClient } from "./qmp.ts";

export type StopOutcome = "powerdown" | "quit" | "killed" | "already-stopped";

export interface StopOptions {
  /** A QMP connection to the machine; undefined when it cannot be reached (then only the kill is left). */
  qmp: QmpClient | undefined;
  /** How long the guest may take to shut down cleanly after the ACPI power button; 0 skips the button (QMP quit at once). */
  graceMs: number;
  /** Ends the QEMU process tree (SIGTERM, then SIGKILL). */
  forceKill: () => Promise<void>;
  onStep?: (step: "powerdown" | "quit" | "kill") => void;
}

/** Clean ACPI shutdown via QMP, then QMP quit, then a hard stop: each only if the previous did not end QEMU. */
export async function stopMachine(options: StopOptions): Promise<StopOutcome> {
  const { qmp } = options;
  if (qmp?.isOpen) {
    if (options.graceMs > 0) {
      options.onStep?.("powerdown");
      if (await endsWithin(qmp, options.graceMs, () => qmp.execute("system_powerdown"))) return "powerdown";
    }
    options.onStep?.("quit");
    if (await endsWithin(qmp, 5_000, () => qmp.execute("quit"))) return "quit";
  } else if (qmp) {
    return "already-stopped";
  }
  options.onStep?.("kill");
  await options.forceKill();
  return "killed";
}

/** Sends a command and waits for QEMU to close the QMP socket, which it does as it exits. */
async function endsWithin(qmp: QmpClient, timeoutMs: number, command: () => Promise<unknown>): Promise<boolean> {
  await command().catch(() => {}); // QEMU may exit before it replies
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const closed = await Promise.race([qmp.closed.then(() => true), timeout]);
  clearTimeout(timer);
  return closed;
}
