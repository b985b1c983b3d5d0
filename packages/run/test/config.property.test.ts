import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { loadTargetSetup } from "@msf/mailtest";
import { loadRunConfig, parseRunConfig } from "@msf/run";
import { makeTempDir } from "@msf/test-utils";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

// msf.config.yaml and the accounts file of `msf test --target` come from users and from elsewhere:
// whatever they hold, msf answers with a configuration or an error that names the key, never a crash.
const temp = makeTempDir();
afterAll(() => temp.remove());
const isConfigError = (error: unknown) => error instanceof MsfError && error.code === "ERR_MSF_CONFIG";
const keys = fc.constantFrom(
  "matrix",
  "resources",
  "timeouts",
  "distributions",
  "timeoutScale",
  "mirror",
  "mail",
  "logLevel",
  "memoryMiB",
  "deploy",
  "debian-12",
  "accounts",
  "domain",
  "hostname",
  "address",
  "password",
  "dkim",
  "txt",
);
const json = fc.letrec((tie) => ({
  node: fc.oneof(
    { maxDepth: 4 },
    fc.string({ maxLength: 12 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(keys, tie("node"), { maxKeys: 5 }),
  ),
})).node;

describe("msf.config.yaml", () => {
  it("parseRunConfig: a configuration or a config error naming the key, for any value", () => {
    fc.assert(
      fc.property(json, (raw) => {
        try {
          parseRunConfig(raw);
        } catch (error) {
          expect(isConfigError(error), String(error)).toBe(true);
          expect((error as Error).message).toMatch(/msf\.config\.yaml/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("loadRunConfig: the same for any file text, YAML or not", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 500 }),
          json.map((v) => stringify(v)),
        ),
        async (text) => {
          const file = join(temp.path, `config-${run++}.yaml`);
          writeFileSync(file, text);
          try {
            await loadRunConfig({ cwd: temp.path, file });
          } catch (error) {
            expect(isConfigError(error), String(error)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("the accounts file of msf test --target", () => {
  it("loadTargetSetup: a setup or a config error, for any JSON and any text", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          json.map((v) => JSON.stringify(v)),
          fc.string({ unit: "binary", maxLength: 300 }),
        ),
        async (text) => {
          const file = join(temp.path, `accounts-${run++}.json`);
          writeFileSync(file, text);
          try {
            const setup = await loadTargetSetup(file);
            expect(setup.accounts.length).toBeGreaterThan(0);
          } catch (error) {
            expect(isConfigError(error), String(error)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
