import { cpuBudgetFromHistory, parseRunConfig, planRun, type RunStatus, simulate, vmPhaseSamples } from "@msf/run";
import { describe, expect, it } from "vitest";

type Spans = Record<string, [from: number, ms: number]>;
const run = (spans: Spans, outputs?: Record<string, unknown>): RunStatus => ({
  status: "passed",
  tasks: Object.fromEntries(Object.entries(spans).map(([id, [startedAt, durationMs]]) => [id, { state: "done" as const, startedAt, durationMs, outputs }])),
});
/** Debian 12's and 13's boot, deploy and test one after the other: 10 + 40 + 30 s each. */
const serial = (scale = 1): Spans => ({
  "debian-12:boot": [0, 10_000 * scale],
  "debian-12:deploy": [10_000 * scale, 40_000 * scale],
  "debian-12:test": [50_000 * scale, 30_000 * scale],
  "debian-13:boot": [80_000 * scale, 10_000 * scale],
  "debian-13:deploy": [90_000 * scale, 40_000 * scale],
  "debian-13:test": [130_000 * scale, 30_000 * scale],
});
/** The same phases, both distributions at once, each `slowdown` times as long. */
const together = (slowdown: number): Spans =>
  Object.fromEntries(
    Object.entries(serial(slowdown)).map(([id, [from, ms]]) => [id, [id.startsWith("debian-13") ? from - 80_000 * slowdown : from, ms] as [number, number]]),
  );

describe("VMs sharing the cores, from the run history", () => {
  it("counts a VM phase as shared when another distribution's VM or image build ran during half of it", () => {
    expect(vmPhaseSamples(run(serial())).every((s) => !s.shared)).toBe(true);
    expect(vmPhaseSamples(run(together(1.5))).every((s) => s.shared)).toBe(true);
    // An image build overlapping Debian 12's deploy for 30 of 40 s; a 5 s archive check does not count.
    const withBuild = run({ ...serial(), "debian-13:install": [15_000, 30_000], "debian-13:archive": [50_000, 25_000] });
    expect(
      vmPhaseSamples(withBuild)
        .filter((s) => s.shared)
        .map((s) => s.task),
    ).toEqual(["debian-12:deploy"]);
    // Two overlaps of the same stretch count once: 15 of 40 s is not half.
    const twice = run({ ...serial(), "debian-11:install": [10_000, 15_000], "debian-13:install": [10_000, 15_000] });
    expect(vmPhaseSamples(twice).some((s) => s.shared)).toBe(false);
  });

  it("lets two VMs share the cores only when the history shows they finish sooner than one after the other", () => {
    expect(cpuBudgetFromHistory([], 2)).toMatchObject({ cpus: 2, reason: expect.stringContaining("no run here has measured") });
    expect(cpuBudgetFromHistory([run(serial()), run(serial())], 2).cpus).toBe(2);
    expect(cpuBudgetFromHistory([run(serial()), run(together(1.4))], 2)).toMatchObject({ cpus: 4, reason: expect.stringContaining("1.4x") });
    // 1.9x: two at once would save 5%, within the noise of a run: one at a time.
    expect(cpuBudgetFromHistory([run(serial()), run(together(1.9))], 2)).toMatchObject({ cpus: 2, reason: expect.stringContaining("1.9x") });
    // A queued run's VMs ran on different workers: no evidence of sharing.
    expect(cpuBudgetFromHistory([run(serial()), run(together(1.4), { worker: "a" })], 2).cpus).toBe(2);
  });

  it("plans two VMs at a time from that history, unless the budget is configured or is a queue's", () => {
    const config = parseRunConfig({ matrix: ["debian-12", "debian-13"] });
    const host = { memoryMiB: 24_576, cpus: 2, accel: "tcg" as const };
    const history = [run(serial()), run(together(1.4))];
    const plan = planRun({ config, host, history });
    expect(plan.budget.cpus).toBe(4);
    const { starts } = simulate(plan);
    expect(starts["debian-13:boot"]).toBe(starts["debian-12:boot"]);
    expect(planRun({ config, host }).budget.cpus).toBe(2);
    expect(planRun({ config: parseRunConfig({ matrix: ["debian-12"], resources: { cpus: 2 } }), host, history })).toMatchObject({
      budget: { cpus: 2 },
      cpusBecause: "configured (resources.cpus)",
    });
    expect(planRun({ config, host: { ...host, fleet: true }, history }).budget.cpus).toBe(2);
  });
});
