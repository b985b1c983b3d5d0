import type { DistributionResult } from "@msf/report";
import { distributionHistories } from "@msf/server";
import { describe, expect, it } from "vitest";

// Pure: last good and first bad from a distribution's verdicts, newest first.
const result = (runId: string, verdict: "passed" | "failed" | "not-run", testMs = 10) => ({
  runId,
  distribution: {
    id: "debian-12",
    name: "Debian 12",
    phases:
      verdict === "not-run"
        ? [{ phase: "install" as const, status: "not-run" as const }]
        : [{ phase: "test" as const, status: verdict === "passed" ? ("done" as const) : ("failed" as const), durationMs: testMs }],
    checks: [
      {
        id: "imap-login",
        component: "dovecot",
        status: verdict === "passed" ? ("pass" as const) : ("fail" as const),
        durationMs: 1,
        message: "",
        evidence: "",
      },
    ],
  } satisfies DistributionResult,
});

describe("distribution histories", () => {
  it("names the last good run and the first bad one after it (not the newest failure)", () => {
    const [history] = distributionHistories([
      result("r5", "failed"),
      result("r4", "not-run"),
      result("r3", "failed"),
      result("r2", "passed", 30),
      result("r1", "passed", 10),
    ]);
    expect(history).toMatchObject({ latest: { runId: "r5", verdict: "failed" }, lastGood: "r2", firstBad: "r3", passRate: { passed: 2, runs: 4 } });
    expect(history?.medianMs).toEqual({ test: 20 });
  });

  it("has no first bad run while the newest passed, and no last good run before any pass", () => {
    expect(distributionHistories([result("r2", "passed"), result("r1", "failed")])[0]).toMatchObject({ lastGood: "r2", firstBad: undefined });
    expect(distributionHistories([result("r2", "failed"), result("r1", "failed")])[0]).toMatchObject({ lastGood: undefined, firstBad: "r1" });
  });
});
