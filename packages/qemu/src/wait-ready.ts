import { AbortedError, formatMs, MsfError } from "@msf/core";
import { qemuCrashSignal } from "./crash.ts";
import {
  currentPhase,
  failPhase,
  initialReadiness,
  type PhaseBudgets,
  phaseDeadline,
  type ReadinessPhase,
  type ReadinessState,
  type ReadinessSummary,
  reachPhase,
  summarizeReadiness,
} from "./readiness.ts";

export type ReadinessEvent =
  | { type: "waiting"; phase: ReadinessPhase; budgetMs: number }
  | { type: "phase"; phase: ReadinessPhase; atMs: number; durationMs: number; detail?: string }
  | { type: "phase-failed"; phase: ReadinessPhase; reason: string; lastLines: string[] };

/** Resolves (optionally with a detail to show) once its phase is reached; aborts when told. */
export type PhaseProbe = (signal: AbortSignal) => Promise<string | undefined>;

export interface WaitReadinessOptions {
  name: string;
  startedAt: number;
  budgets: PhaseBudgets;
  probes: Record<ReadinessPhase, PhaseProbe>;
  /** Settles when QEMU exits: no phase can be reached after that. */
  exited: Promise<unknown>;
  lastConsoleLines: () => string[];
  onEvent?: (event: ReadinessEvent) => void;
  signal?: AbortSignal;
}

export class VmBootError extends MsfError {
  constructor(name: string, state: ReadinessState, lastLines: string[]) {
    const failure = state.failure as NonNullable<ReadinessState["failure"]>;
    const tail = lastLines.length ? `\nlast console lines:\n${lastLines.map((l) => `  | ${l}`).join("\n")}` : "\n(the console printed nothing)";
    super("ERR_MSF_VM_BOOT", `${name} did not reach ${failure.phase}: ${failure.reason}${tail}`, {
      hint: "the whole console is in the VM's serial.log; `msf vm up --keep-on-failure` leaves the VM running to inspect it",
      details: { phase: failure.phase, reason: failure.reason, ...summarizeReadiness(state), lastLines },
    });
    this.name = "VmBootError";
  }
}

const QEMU_EXITED = "QEMU exited";
const QEMU_CRASHED = "QEMU crashed";

/**
 * Why a fresh boot of the same image may well succeed where this one failed, or undefined when the
 * failure would repeat: a kernel panic under TCG (QEMU, told not to reboot, exited) or QEMU itself
 * crashing (seen once under TCG: SIGSEGV).
 */
export function bootRetryReason(error: unknown): string | undefined {
  if (!(error instanceof VmBootError)) return undefined;
  const { reason, lastLines } = error.details as { reason: string; lastLines: string[] };
  if (reason.startsWith(QEMU_CRASHED)) return reason;
  if (reason === QEMU_EXITED && lastLines.some((line) => line.includes("Kernel panic - not syncing"))) return "the guest kernel panicked before SSH";
  return undefined;
}

/** Walks a booting VM through the readiness phases, each within its budget. */
export async function waitForReadiness(options: WaitReadinessOptions): Promise<ReadinessSummary> {
  let state = initialReadiness(options.startedAt);
  let exitReason: string | undefined;
  const exitedPromise = options.exited.then((exit) => {
    const crash = qemuCrashSignal(exit);
    exitReason = crash ? `${QEMU_CRASHED} (${crash})` : QEMU_EXITED;
  });
  for (let phase = currentPhase(state); phase; phase = currentPhase(state)) {
    const deadline = phaseDeadline(state, options.budgets) as number;
    options.onEvent?.({ type: "waiting", phase, budgetMs: options.budgets[phase] });
    const outcome = await attempt(options.probes[phase], deadline, exitedPromise, options.signal);
    const now = Date.now();
    if (outcome.ok) {
      state = reachPhase(state, phase, now, outcome.detail);
      const reached = state.reached.at(-1) as ReadinessState["reached"][number];
      options.onEvent?.({ type: "phase", phase, atMs: reached.atMs, durationMs: reached.durationMs, detail: outcome.detail });
      continue;
    }
    if (options.signal?.aborted) throw new AbortedError(`booting ${options.name}`);
    const reason = exitReason ?? (outcome.timedOut ? timedOutReason(options.budgets[phase], outcome.lastFailure) : outcome.reason);
    state = failPhase(state, reason, now);
    const lastLines = options.lastConsoleLines();
    options.onEvent?.({ type: "phase-failed", phase, reason, lastLines });
    throw new VmBootError(options.name, state, lastLines);
  }
  return summarizeReadiness(state);
}

type Outcome = { ok: true; detail?: string } | { ok: false; timedOut: boolean; reason: string; lastFailure?: string };

/** A missed deadline, with what the probe's last try ran into (a refused login says more than the clock). */
function timedOutReason(budgetMs: number, lastFailure?: string): string {
  return `no progress within ${formatMs(budgetMs)}${lastFailure ? `; last try: ${lastFailure}` : ""}`;
}

async function attempt(probe: PhaseProbe, deadline: number, exited: Promise<void>, outer?: AbortSignal): Promise<Outcome> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const timer = setTimeout(stop, Math.max(0, deadline - Date.now()));
  outer?.addEventListener("abort", stop, { once: true });
  const gone = exited.then((): Outcome => ({ ok: false, timedOut: false, reason: QEMU_EXITED }));
  // Settles a turn after the abort, so a probe that answers its abort at once is heard (with its last failure).
  const stopped = new Promise<Outcome>((resolve) => {
    controller.signal.addEventListener("abort", () => setImmediate(resolve, { ok: false, timedOut: true, reason: "deadline" }), { once: true });
  });
  const probed = probe(controller.signal).then(
    (detail): Outcome => ({ ok: true, detail }),
    (error: unknown): Outcome => ({
      ok: false,
      timedOut: controller.signal.aborted,
      reason: (error as Error).message,
      lastFailure: (error as { details?: { lastFailure?: string } }).details?.lastFailure,
    }),
  );
  try {
    return await Promise.race([probed, gone, stopped]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", stop);
    controller.abort();
  }
}
