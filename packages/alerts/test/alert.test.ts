import type { DistributionResult } from "@msf/report";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertFor, type RunResult } from "../src/alert.ts";
import { alertText, slackPayload } from "../src/payloads.ts";

type Outcome = "passed" | "product" | "infrastructure";

/** A distribution's result: passed, a failing check (product), or a boot timeout (infrastructure). */
function result(runId: string, outcome: Outcome, transcript = "S: 220 mail\r\nC: LOGIN alice\r\nS: NO"): RunResult {
  const phases: DistributionResult["phases"] = [
    { phase: "boot", status: outcome === "infrastructure" ? "timed-out" : "done" },
    { phase: "test", status: outcome === "infrastructure" ? "not-run" : outcome === "product" ? "failed" : "done" },
  ];
  const checks: DistributionResult["checks"] =
    outcome === "infrastructure"
      ? []
      : [{ id: "imap-login", component: "dovecot", status: outcome === "product" ? "fail" : "pass", durationMs: 5, message: "NO", evidence: transcript }];
  return {
    runId,
    distribution: {
      id: "debian-12",
      name: "Debian 12",
      phases,
      checks,
      changes: { baseline: { runId: "r0" }, packages: [{ name: "dovecot-core", from: "2.3", to: "2.4" }], newlyFailing: [], newlyPassing: [] },
    },
  };
}

/** The alerts of a whole history (oldest first), each computed as the server does after a run. */
function alertsOver(outcomes: Outcome[]) {
  const results = outcomes.map((o, i) => result(`r${String(i).padStart(3, "0")}`, o));
  return results.flatMap((current, i) => alertFor(current, results.slice(0, i).reverse()) ?? []);
}

describe("alerts over a distribution's history", () => {
  it("a product failure after a pass is a regression with the failing check, a transcript excerpt and the version diff; the next pass is its fix", () => {
    const [regression, fixed] = alertsOver(["passed", "product", "product", "passed"]);
    expect(regression).toMatchObject({
      schemaVersion: 1,
      id: "r001:debian-12:regression",
      kind: "regression",
      lastGoodRunId: "r000",
      failing: [{ id: "imap-login", message: "NO", transcript: expect.stringContaining("C: LOGIN alice") }],
      packages: [{ name: "dovecot-core", from: "2.3", to: "2.4" }],
    });
    expect(fixed).toMatchObject({ id: "r003:debian-12:fixed", kind: "fixed", lastGoodRunId: "r000", failing: [] });
    expect(alertText(regression as never)).toMatch(/regressed in run r001: imap-login[\s\S]*dovecot-core 2\.3 -> 2\.4/);
    expect(slackPayload(regression as never).text).toMatch(/^\*msf: Debian 12 regressed/);
  });

  it("an infrastructure failure neither raises nor clears a regression; a first run raises nothing", () => {
    expect(alertsOver(["product"])).toEqual([]);
    expect(alertsOver(["passed", "infrastructure", "passed"])).toEqual([]);
    expect(alertsOver(["passed", "infrastructure", "product", "infrastructure", "product"]).map((a) => a.kind)).toEqual(["regression"]);
  });

  it("any history: one alert per regression until it is fixed, regressions and fixes alternating, none for infrastructure", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Outcome>("passed", "product", "infrastructure"), { maxLength: 30 }), (outcomes) => {
        const kinds = alertsOver(outcomes).map((a) => a.kind);
        for (let i = 1; i < kinds.length; i++) expect(kinds[i]).not.toBe(kinds[i - 1]);
        const product = outcomes.filter((o) => o !== "infrastructure");
        const changes = product.filter((o, i) => i > 0 && o !== product[i - 1]).length;
        expect(kinds).toHaveLength(changes);
      }),
    );
  });

  it("keeps a transcript excerpt bounded, its end (where the error is)", () => {
    const [alert] = alertsOver(["passed", "product"].map((o) => o as Outcome));
    const long = alertFor(result("r9", "product", `${"x".repeat(10_000)}THE END`), [result("r8", "passed")]);
    expect(alert?.failing[0]?.transcript.length).toBeLessThan(100);
    expect(long?.failing[0]?.transcript.length).toBeLessThanOrEqual(601);
    expect(long?.failing[0]?.transcript.endsWith("THE END")).toBe(true);
  });
});
