import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunConfig } from "@msf/run";
import { run } from "@msf/supervisor";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { COMMANDS } from "../apps/cli/src/commands.ts";

// Every package README opens with a runnable example (its first ```ts block): run each for real.
const root = join(import.meta.dirname, "..");
const packages = ["packages", "apps"].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)));

const examples = packages.flatMap((dir) => {
  const example = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(dir, "README.md"), "utf8"))?.[1];
  return example ? [{ dir, example }] : [];
});

// The examples keep their state here; removed afterwards unless it was there before.
const EXAMPLE_HOME = "/tmp/msf-example";
const exampleHomeExisted = existsSync(EXAMPLE_HOME);
afterAll(() => {
  if (!exampleHomeExisted) rmSync(EXAMPLE_HOME, { recursive: true, force: true });
});

describe("README examples", () => {
  it("exist for every package but the CLI (whose README shows shell commands, checked below)", () => {
    expect(packages.filter((dir) => !examples.some((e) => e.dir === dir)).map((dir) => dir.slice(root.length + 1))).toEqual(["apps/cli"]);
  });

  it("the CLI README lists every command of the command table", () => {
    const readme = readFileSync(join(root, "apps/cli/README.md"), "utf8");
    for (const spec of COMMANDS) expect(readme).toContain(`\`msf ${spec.path.join(" ")}`);
  });

  it("the root README's tables hold values, not placeholders left to fill in (e.g. DEBIAN_TESTING_CHECKS)", () => {
    const rows = readFileSync(join(root, "README.md"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("|"));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.filter((row) => /\b[A-Z]{2,}_[A-Z0-9_]{2,}\b/.test(row.replaceAll(/`[^`]*`/g, "")))).toEqual([]);
  });

  it("the CLI README's msf.config.yaml is a valid configuration", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync(join(root, "apps/cli/README.md"), "utf8"))?.[1];
    expect(yaml).toBeDefined();
    expect(parseRunConfig(parseYaml(yaml as string))).toMatchObject({ distributions: { "debian-13": { timeouts: { deploy: 1_800_000 } } } });
  });

  for (const { dir, example } of examples) {
    it(`${dir.slice(root.length + 1)}/README.md runs`, async () => {
      // Inside the package, so its own dependencies resolve.
      const file = join(dir, `.readme-example-${process.pid}.ts`);
      writeFileSync(file, example);
      try {
        const result = await run({
          name: "readme-example",
          command: process.execPath,
          args: ["--conditions=msf-source", file],
          // Node's cache of compiled (and type-stripped) modules, the one msf itself uses: most of each example's start-up.
          env: { NODE_COMPILE_CACHE: join(tmpdir(), "node-compile-cache") },
          timeoutMs: 60_000,
        });
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
        expect(result.stdout.length).toBeGreaterThan(0);
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});
