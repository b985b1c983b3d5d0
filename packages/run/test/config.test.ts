import { parseRunConfig, snapshotsFor } from "@msf/run";
import { describe, expect, it } from "vitest";

describe("snapshotsFor", () => {
  it("takes a distribution's own setting over the run's, and the run's when it has none", () => {
    const config = parseRunConfig({ distributions: { "debian-11": { snapshots: false }, "debian-13": { timeouts: { deploy: "30m" } } } }, "test");
    expect(snapshotsFor(config, "debian-11")).toBe(false);
    expect(snapshotsFor(config, "debian-12")).toBe(true);
    expect(snapshotsFor(config, "debian-13")).toBe(true);
    const off = parseRunConfig({ snapshots: false, distributions: { "debian-12": { snapshots: true } } }, "test");
    expect(snapshotsFor(off, "debian-12")).toBe(true);
    expect(snapshotsFor(off, "debian-13")).toBe(false);
  });

  it("refuses anything but a boolean, naming the key", () => {
    expect(() => parseRunConfig({ distributions: { "debian-11": { snapshots: "no" } } }, "msf.config.yaml")).toThrow(/distributions\.debian-11\.snapshots/);
  });
});
