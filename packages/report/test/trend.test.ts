import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DistributionResult } from "../src/model.ts";
import { checkTrends } from "../src/trend.ts";

/** A result where each named check passed (true) or failed (false); `null`: the boot timed out, no checks ran. */
function result(checks: Record<string, boolean> | null): DistributionResult {
  if (!checks) return { id: "debian-12", name: "Debian 12", phases: [{ phase: "boot", status: "timed-out" }], checks: [] };
  const failed = Object.values(checks).some((passed) => !passed);
  return {
    id: "debian-12",
    name: "Debian 12",
    phases: [{ phase: "test", status: failed ? "failed" : "done" }],
    checks: Object.entries(checks).map(([id, passed]) => ({ id, component: "x", status: passed ? "pass" : "fail", durationMs: 1, message: "", evidence: "" })),
  };
}

const trendOf = (history: Array<boolean | null>) => checkTrends(history.map((passed) => result(passed === null ? null : { "imap-login": passed })))[0]?.trend;

describe("a check's trend over a distribution's runs (newest first)", () => {
  it("tells a new failure, still failing, fixed, passing and flaky apart; infrastructure failures are skipped", () => {
    expect(trendOf([false, true, true])).toBe("regression");
    expect(trendOf([false, false, true])).toBe("still-failing");
    expect(trendOf([true, false, false])).toBe("fixed");
    expect(trendOf([true, true])).toBe("passing");
    expect(trendOf([false])).toBe("failing");
    expect(trendOf([false, true, false, true])).toBe("flaky");
    expect(trendOf([false, null, null, true])).toBe("regression");
    expect(checkTrends([result(null)])).toEqual([]);
  });

  it("any history: flaky exactly when the verdict changed twice in the window; otherwise the last two runs decide", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (history) => {
        const window = history.slice(0, 5);
        const changes = window.filter((passed, i) => i > 0 && passed !== window[i - 1]).length;
        const trend = trendOf(history);
        if (changes >= 2) expect(trend).toBe("flaky");
        else if (history.length === 1) expect(trend).toBe(history[0] ? "passing" : "failing");
        else {
          const expected: Record<string, string> = {
            "true,true": "passing",
            "true,false": "fixed",
            "false,true": "regression",
            "false,false": "still-failing",
          };
          expect(trend).toBe(expected[`${history[0]},${history[1]}`]);
        }
      }),
    );
  });
});
