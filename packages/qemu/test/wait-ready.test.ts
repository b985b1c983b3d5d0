import { setTimeout as sleep } from "node:timers/promises";
import { hedge } from "@msf/core";
import {
  bootRetryReason,
  defaultBudgets,
  type PhaseBudgets,
  type PhaseProbe,
  type ReadinessEvent,
  type ReadinessPhase,
  VmBootError,
  waitForReadiness,
} from "@msf/qemu";
import { describe, expect, it } from "vitest";

const fast: PhaseBudgets = { process: 200, kernel: 200, "ssh-banner": 200, "ssh-auth": 200, system: 200 };
const reachAfter =
  (ms: number, detail?: string): PhaseProbe =>
  async (signal) => {
    await sleep(ms, undefined, { signal });
    return detail;
  };
const never: PhaseProbe = (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));

function probes(overrides: Partial<Record<ReadinessPhase, PhaseProbe>>): Record<ReadinessPhase, PhaseProbe> {
  return {
    process: reachAfter(1),
    kernel: reachAfter(1),
    "ssh-banner": reachAfter(1),
    "ssh-auth": reachAfter(1),
    system: reachAfter(1, "running"),
    ...overrides,
  };
}

const running = () => new Promise<never>(() => {}); // QEMU that never exits

/** The error of a boot whose probes are `stuck` (the others pass at once). */
function failedBoot(
  name: string,
  stuck: Partial<Record<ReadinessPhase, PhaseProbe>>,
  { budgets = fast, exited = running(), lines = [] as string[] }: { budgets?: PhaseBudgets; exited?: Promise<unknown>; lines?: string[] } = {},
): Promise<unknown> {
  return waitForReadiness({ name, startedAt: Date.now(), budgets, probes: probes(stuck), exited, lastConsoleLines: () => lines }).catch((e: unknown) => e);
}

describe("waitForReadiness", () => {
  it("reports every phase with its time and ends with readyMs", async () => {
    const events: ReadinessEvent[] = [];
    const summary = await waitForReadiness({
      name: "t",
      startedAt: Date.now(),
      budgets: defaultBudgets("tcg"),
      probes: probes({}),
      exited: running(),
      lastConsoleLines: () => [],
      onEvent: (e) => events.push(e),
    });
    expect(events.filter((e) => e.type === "phase").map((e) => e.phase)).toEqual(["process", "kernel", "ssh-banner", "ssh-auth", "system"]);
    expect(summary.readyMs).toBeGreaterThanOrEqual(0);
    expect(Object.keys(summary.phases)).toHaveLength(5);
  });

  it("fails the phase that misses its deadline, with the last console lines", async () => {
    const error = await failedBoot("slowpoke", { "ssh-banner": never }, { lines: ["Begin: Loading essential drivers ... done.", "msf-debian login:"] });
    expect(error).toBeInstanceOf(VmBootError);
    expect((error as VmBootError).message).toMatch(/slowpoke did not reach ssh-banner: no progress within 200 ms/);
    expect((error as VmBootError).message).toContain("msf-debian login:");
    expect((error as VmBootError).details).toMatchObject({
      phase: "ssh-banner",
      lastLines: ["Begin: Loading essential drivers ... done.", "msf-debian login:"],
    });
  });

  it("fails at once when QEMU exits, instead of waiting for the deadline", async () => {
    const lines = ["Kernel panic - not syncing: VFS: Unable to mount root fs"];
    const error = await failedBoot("crasher", { kernel: never }, { budgets: defaultBudgets("tcg"), exited: sleep(50), lines });
    expect((error as VmBootError).details).toMatchObject({ phase: "kernel", reason: "QEMU exited" });
    expect(bootRetryReason(error)).toBe("the guest kernel panicked before SSH");
  });

  it("tells the failures a fresh boot may not repeat (a kernel panic, QEMU crashing) from the others", async () => {
    const boot = (exited: Promise<unknown>, lines: string[], stuck: Partial<Record<ReadinessPhase, PhaseProbe>> = { kernel: never }) =>
      failedBoot("t", stuck, { exited, lines });
    const panic = ["[    1.61] Kernel panic - not syncing: Fatal exception in interrupt", "[    1.61] Shutting down cpus with NMI"];
    expect(bootRetryReason(await boot(running(), panic))).toBeUndefined(); // QEMU still running: a stall, not a panic
    expect(bootRetryReason(await boot(sleep(10), ["reboot: Power down"]))).toBeUndefined();
    expect(bootRetryReason(await boot(sleep(10), panic))).toBe("the guest kernel panicked before SSH");
    expect(bootRetryReason(new Error("Kernel panic - not syncing"))).toBeUndefined();
    const crashed = await boot(
      sleep(10).then(() => ({ exitCode: null, signal: "SIGSEGV" })),
      ["[    0.91] Run /init as init process"],
    );
    expect((crashed as VmBootError).details).toMatchObject({ phase: "kernel", reason: "QEMU crashed (SIGSEGV)" });
    expect(bootRetryReason(crashed)).toBe("QEMU crashed (SIGSEGV)");
    expect(
      bootRetryReason(
        await boot(
          sleep(10).then(() => ({ exitCode: null, signal: "SIGKILL" })),
          [],
        ),
      ),
    ).toBeUndefined();
    const refused = async () => Promise.reject(new Error("connection refused"));
    expect(bootRetryReason(await boot(running(), [], { "ssh-banner": refused }))).toBeUndefined();
    expect(bootRetryReason(await boot(running(), [], { "ssh-auth": never }))).toBeUndefined();
    expect(bootRetryReason(await boot(running(), [], { system: never }))).toBeUndefined();
  });

  it("says what the last try ran into when a phase misses its deadline", async () => {
    const refused: PhaseProbe = async (signal) => {
      await hedge(async () => Promise.reject(new Error("Permission denied (publickey)")), { signal, intervalMs: 20, maxPending: 1, what: "logging in" });
      return "logged in";
    };
    const error = await failedBoot("locked", { "ssh-auth": refused });
    expect((error as VmBootError).message).toMatch(/locked did not reach ssh-auth: no progress within 200 ms; last try: #\d+: Permission denied \(publickey\)/);
  });

  it("reports a probe's own fatal failure", async () => {
    const error = await failedBoot(
      "broken",
      { system: async () => Promise.reject(new Error('systemd reports "maintenance"')) },
      { budgets: defaultBudgets("tcg") },
    );
    expect((error as VmBootError).message).toContain('broken did not reach system: systemd reports "maintenance"');
  });

  it("stops waiting when cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await waitForReadiness({
      name: "cancelled",
      startedAt: Date.now(),
      budgets: defaultBudgets("tcg"),
      probes: probes({ kernel: never }),
      exited: running(),
      lastConsoleLines: () => [],
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_ABORTED" });
  });
});
