import { busyShare, QUIET_BUSY_SHARE } from "@msf/vm";
import { describe, expect, it } from "vitest";

// /proc/stat "cpu" lines: user nice system idle iowait irq softirq steal guest guest_nice
describe("busyShare", () => {
  it("counts idle and iowait as quiet, everything else as busy", () => {
    const before = "cpu  1000 0 500 8000 100 0 10 0 0 0";
    const busy = "cpu  1150 0 530 8100 100 0 20 0 0 0"; // +190 busy, +100 idle
    const quiet = "cpu  1005 0 502 8190 100 0 10 0 0 0"; // +7 busy, +190 idle
    const waiting = "cpu  1000 0 500 8000 300 0 10 0 0 0"; // +200 iowait only
    expect(busyShare(before, busy)).toBeCloseTo(190 / 290);
    expect(busyShare(before, quiet)).toBeCloseTo(7 / 197);
    expect(busyShare(before, busy)).toBeGreaterThan(QUIET_BUSY_SHARE);
    expect(busyShare(before, quiet)).toBeLessThan(QUIET_BUSY_SHARE);
    expect(busyShare(before, waiting)).toBe(0);
  });

  it("reads a kernel with fewer columns, and refuses what is not a cpu line", () => {
    expect(busyShare("cpu 10 0 10 80 0", "cpu 20 0 10 170 0")).toBeCloseTo(0.1);
    expect(() => busyShare("", "cpu 1 2 3 4 5")).toThrow(/not \/proc\/stat/);
    expect(() => busyShare("cpu a b c d e", "cpu 1 2 3 4 5")).toThrow(/not \/proc\/stat/);
  });
});
