import { currentPhase, defaultBudgets, failPhase, initialReadiness, phaseDeadline, ReadinessPhases, reachPhase, summarizeReadiness } from "@msf/qemu";
import { describe, expect, it } from "vitest";

describe("readiness state machine", () => {
  const budgets = defaultBudgets("tcg");

  it("walks the phases in order, timing each from the previous one", () => {
    let state = initialReadiness(1_000);
    expect(currentPhase(state)).toBe("process");
    expect(phaseDeadline(state, budgets)).toBe(1_000 + budgets.process);
    const at = { process: 1_100, kernel: 2_000, "ssh-banner": 20_000, "ssh-auth": 21_000, system: 25_000 };
    for (const phase of ReadinessPhases) {
      state = reachPhase(state, phase, at[phase]);
      if (phase === "kernel") expect(phaseDeadline(state, budgets)).toBe(2_000 + budgets["ssh-banner"]);
    }
    expect(state.status).toBe("ready");
    expect(currentPhase(state)).toBeUndefined();
    const summary = summarizeReadiness(state);
    expect(summary.readyMs).toBe(24_000);
    expect(summary.phases["ssh-banner"]).toEqual({ atMs: 19_000, durationMs: 18_000 });
  });

  it("refuses a phase out of order", () => {
    expect(() => reachPhase(initialReadiness(0), "ssh-auth", 10)).toThrow(/reached ssh-auth while waiting for process/);
  });

  it("records which phase failed and why; no readyMs", () => {
    let state = reachPhase(initialReadiness(0), "process", 100);
    state = failPhase(state, "no progress within 60.0 s", 60_100);
    expect(state).toMatchObject({ status: "failed", failure: { phase: "kernel", reason: "no progress within 60.0 s", atMs: 60_100 } });
    expect(summarizeReadiness(state).readyMs).toBeUndefined();
    expect(failPhase(state, "again", 70_000)).toBe(state);
  });

  it("gives TCG more time than KVM, and scales", () => {
    expect(defaultBudgets("tcg")["ssh-banner"]).toBeGreaterThan(defaultBudgets("kvm")["ssh-banner"]);
    expect(defaultBudgets("tcg", 2).system).toBe(2 * defaultBudgets("tcg").system);
  });
});
