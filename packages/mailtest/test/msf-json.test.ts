import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MailSetupSchema } from "../src/config/accounts.ts";
import { deepMerge, loadMsfJson, resolveReferences } from "../src/config/msf-json.ts";

const examples = join(import.meta.dirname, "fixtures/msf/Examples");

describe("Mail Server Factory JSON", () => {
  it("merges includes (relative to the file or to the tool's directory), resolves variables recursively, maps accounts", async () => {
    const config = await loadMsfJson(join(examples, "Debian_12.json"));
    expect(config.name).toBe("Debian 12 configuration");
    expect(config.files.map((f) => f.slice(examples.length + 1))).toEqual([
      "Debian_12.json",
      "Includes/Common.json",
      "Includes/Server.json",
      "Includes/Accounts.json",
    ]);
    expect(config.variables).toMatchObject({
      SERVER: { DOMAIN: "dev.local", HOSTNAME: "mail.dev.local", POSTMASTER: "postmaster@dev.local", REBOOT_ALLOWED: true },
    });
    expect(config.remote).toEqual({ port: 22, user: "root" });
    const setup = MailSetupSchema.parse(config.setup);
    expect(setup).toEqual({
      domain: "dev.local",
      hostname: "mail.dev.local",
      accounts: [
        { address: "postmaster@dev.local", role: "postmaster", password: undefined, aliases: [] },
        { address: "test1@dev.local", role: "email", password: "from-the-config", aliases: ["redirect1@dev.local"] },
        { address: "test2@dev.local", role: "email", password: "other-spelling", aliases: [] },
      ],
    });
  });

  it("names an undefined variable", async () => {
    await expect(loadMsfJson(join(examples, "Undefined.json"))).rejects.toThrow(/Undefined\.json: undefined variable \{\{SERVER\.NOPE\}\}/);
  });

  it("names a circular include and a self-referencing variable", async () => {
    await expect(loadMsfJson(join(examples, "Loop_A.json"))).rejects.toThrow(/circular include: .*Loop_A\.json -> .*Loop_B\.json -> .*Loop_A\.json/);
    await expect(loadMsfJson(join(examples, "SelfRef.json"))).rejects.toThrow(/refers to itself \(A -> B -> A\)|refers to itself \(B -> A -> B\)/);
  });

  it("names a missing include", async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/msf-json-");
    try {
      writeFileSync(join(dir, "x.json"), JSON.stringify({ includes: ["Includes/Missing.json"] }));
      await expect(loadMsfJson(join(dir, "x.json"))).rejects.toThrow(/includes: Includes\/Missing\.json was not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps non-string values of whole references and concatenates arrays when merging", () => {
    expect(resolveReferences({ a: "{{X.Y}}", b: "x{{X.Y}}" }, { X: { Y: 42 } }, "f")).toEqual({ a: 42, b: "x42" });
    expect(deepMerge({ accounts: [1], v: { a: 1, b: 1 } }, { accounts: [2], v: { b: 2 } })).toEqual({ accounts: [1, 2], v: { a: 1, b: 2 } });
  });
});
