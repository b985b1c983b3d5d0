import { catalog, DistributionSchema, findDistribution } from "@msf/catalog";
import { describe, expect, it } from "vitest";

describe("catalog", () => {
  it("has unique ids and every entry passes the schema", () => {
    const ids = catalog.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of catalog) expect(DistributionSchema.safeParse(entry).success).toBe(true);
  });

  it("gives every bootstrap distribution an archive suite", () => {
    for (const entry of catalog.filter((d) => d.installer === "bootstrap")) expect(entry.bootstrap?.suite).toBeTruthy();
    expect(findDistribution("debian-12")?.bootstrap?.suite).toBe("bookworm");
  });

  it("rejects an entry with a malformed id, naming the key", () => {
    const result = DistributionSchema.safeParse({ ...findDistribution("debian-12"), id: "Debian 12" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["id"]);
  });
});
