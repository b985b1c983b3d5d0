import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { MailSetupSchema } from "../src/config/accounts.ts";
import { deepMerge, loadMsfJson, resolveReferences } from "../src/config/msf-json.ts";

const tool = join(import.meta.dirname, "fixtures/msf");
const examples = join(tool, "Examples");
const temp = makeTempDir();
afterAll(() => temp.remove());

/** Writes JSON files under a fresh directory; returns its path. */
function tree(name: string, files: Record<string, unknown>): string {
  const dir = join(temp.path, name);
  for (const [path, value] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), typeof value === "string" ? value : JSON.stringify(value));
  }
  return dir;
}

describe("Mail Server Factory JSON", () => {
  it("merges includes (relative to the file or to the tool's directory), resolves variables recursively, maps accounts", async () => {
    const config = await loadMsfJson(join(examples, "Debian_12.json"), { includeRoot: tool });
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

  it("reads includes only inside the include root: the configuration's directory unless told otherwise", async () => {
    await expect(loadMsfJson(join(examples, "Debian_12.json"))).rejects.toMatchObject({
      message: expect.stringMatching(/Examples\/Includes\/Server\.json was not found inside .*Examples$/),
      hint: expect.stringMatching(/--include-root/),
    });
    const dir = tree("escape", {
      "outside.json": { accounts: [] },
      "conf/x.json": { includes: ["../outside.json"] },
      "conf/y.json": { includes: ["/etc/hostname"] },
    });
    await expect(loadMsfJson(join(dir, "conf/x.json"))).rejects.toThrow(/\.\.\/outside\.json was not found inside/);
    await expect(loadMsfJson(join(dir, "conf/y.json"))).rejects.toThrow(/is an absolute path/);
    expect((await loadMsfJson(join(dir, "conf/x.json"), { includeRoot: dir })).files).toHaveLength(2);
  });

  it("reads and merges each file once, however often it is included (a fan-out of 9 files)", async () => {
    const files: Record<string, unknown> = { "leaf.json": { accounts: [{ type: "email", name: "x@a.test" }] } };
    for (let level = 0; level < 8; level++)
      files[`l${level}.json`] = { includes: level ? [`l${level - 1}.json`, `l${level - 1}.json`, "leaf.json"] : ["leaf.json", "leaf.json"] };
    const dir = tree("fanout", files);
    const config = await loadMsfJson(join(dir, "l7.json"));
    expect(config.files).toHaveLength(9);
    expect(config.setup.accounts).toHaveLength(1);
  });

  it("caps include depth and count, and the size variables expand to", async () => {
    const deep: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++) deep[`d${i}.json`] = { includes: i < 19 ? [`d${i + 1}.json`] : [] };
    await expect(loadMsfJson(join(tree("deep", deep), "d0.json"))).rejects.toThrow(/nest deeper than 16 levels/);
    const wide = {
      "main.json": { includes: Array.from({ length: 70 }, (_, i) => `w${i}.json`) },
      ...Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`w${i}.json`, {}])),
    };
    await expect(loadMsfJson(join(tree("wide", wide), "main.json"))).rejects.toThrow(/more than 64 files/);
    const variables: Record<string, string> = { V0: "xx" };
    for (let i = 1; i <= 22; i++) variables[`V${i}`] = `{{V${i - 1}}}{{V${i - 1}}}`;
    const bomb = tree("bomb", { "b.json": { variables, name: "{{V22}}" } });
    await expect(loadMsfJson(join(bomb, "b.json"))).rejects.toThrow(/expand to more than 1048576 characters/);
  });

  it("never quotes a file that is not JSON", async () => {
    const dir = tree("secret", { "x.json": { includes: ["secret.txt"] }, "secret.txt": "root:hunter2-do-not-print\n" });
    const error = await loadMsfJson(join(dir, "x.json")).catch((e: Error) => e);
    expect(String(error)).toMatch(/secret\.txt: is not valid JSON/);
    expect(JSON.stringify(error)).not.toContain("hunter2");
    expect(String(error)).not.toContain("hunter2");
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
