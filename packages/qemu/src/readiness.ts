import type { Accelerator } from "./spec.ts";

/** How a booting VM becomes usable, in order. */
export const ReadinessPhases = ["process", "kernel", "ssh-banner", "ssh-auth", "system"] as const;
export type ReadinessPhase = (typeof ReadinessPhases)[number];

/** Milliseconds each phase may take after the previous one was reached. */
export type PhaseBudgets = Record<ReadinessPhase, number>;

const TCG_BUDGETS: PhaseBudgets = { process: 15_000, kernel: 60_000, "ssh-banner": 240_000, "ssh-auth": 60_000, system: 300_000 };
const KVM_BUDGETS: PhaseBudgets = { process: 10_000, kernel: 20_000, "ssh-banner": 90_000, "ssh-auth": 30_000, system: 120_000 };

/** Budgets per accelerator, times a scale for slow hosts. */
export function defaultBudgets(accel: Accelerator, scale = 1): PhaseBudgets {
  const base = accel === "kvm" ? KVM_BUDGETS : TCG_BUDGETS;
  return Object.fromEntries(ReadinessPhases.map((phase) => [phase, Math.round(base[phase] * scale)])) as PhaseBudgets;
}

export interface ReachedPhase {
  phase: ReadinessPhase;
  /** Since the QEMU process started. */
  atMs: number;
  /** Since the previous phase. */
  durationMs: number;
  /** What the probe saw (the SSH banner, systemd's state...). */
  detail?: string;
}

export interface ReadinessState {
  startedAt: number;
  reached: ReachedPhase[];
  status: "waiting" | "ready" | "failed";
  failure?: { phase: ReadinessPhase; reason: string; atMs: number };
}

export function initialReadiness(startedAt: number): ReadinessState {
  return { startedAt, reached: [], status: "waiting" };
}

/** The phase being waited for; undefined once ready or failed. */
export function currentPhase(state: ReadinessState): ReadinessPhase | undefined {
  return state.status === "waiting" ? ReadinessPhases[state.reached.length] : undefined;
}

/** When the current phase runs out of budget (ms since the epoch). */
export function phaseDeadline(state: ReadinessState, budgets: PhaseBudgets): number | undefined {
  const phase = currentPhase(state);
  if (!phase) return undefined;
  const since = state.startedAt + (state.reached.at(-1)?.atMs ?? 0);
  return since + budgets[phase];
}

/** Records that `phase` was reached at `at`; phases are reached strictly in order. */
export function reachPhase(state: ReadinessState, phase: ReadinessPhase, at: number, detail?: string): ReadinessState {
  const expected = currentPhase(state);
  if (phase !== expected) throw new Error(`readiness: reached ${phase} while waiting for ${expected ?? state.status}`);
  const atMs = Math.max(0, at - state.startedAt);
  const previous = state.reached.at(-1)?.atMs ?? 0;
  const reached = [...state.reached, { phase, atMs, durationMs: Math.max(0, atMs - previous), ...(detail === undefined ? {} : { detail }) }];
  return { ...state, reached, status: reached.length === ReadinessPhases.length ? "ready" : "waiting" };
}

export function failPhase(state: ReadinessState, reason: string, at: number): ReadinessState {
  const phase = currentPhase(state);
  if (!phase) return state;
  return { ...state, status: "failed", failure: { phase, reason, atMs: Math.max(0, at - state.startedAt) } };
}

export interface ReadinessSummary {
  phases: Partial<Record<ReadinessPhase, Omit<ReachedPhase, "phase">>>;
  /** Process start to `system`; undefined unless ready. */
  readyMs: number | undefined;
}

export function summarizeReadiness(state: ReadinessState): ReadinessSummary {
  const phases = Object.fromEntries(state.reached.map(({ phase, ...reached }) => [phase, reached]));
  return { phases, readyMs: state.status === "ready" ? state.reached.at(-1)?.atMs : undefined };
}
