import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { writeJsonAtomic } from "@msf/core";
import { createContext, ProcessRegistry } from "@msf/supervisor";
import { sharedImageRecord } from "@msf/test-utils";
import { goldenImage } from "@msf/vm";
import type { TestProject } from "vitest/node";

/**
 * Builds the Debian 12 image once per test run, from the archive into a fresh temporary cache,
 * so the cold path is tested on every run and all VM test files share the result. The build runs
 * while the fast tests do (they come first); each VM test file waits for it (test/vm-setup.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const home = process.env.MSF_TEST_HOME ?? mkdtempSync(join(tmpdir(), "msf-vm-tests-"));
  mkdirSync(home, { recursive: true });
  // A home given by MSF_TEST_HOME may hold the user's own VMs and earlier runs' state: not ours to end.
  const stateDirs = () => readdirSync(home).filter((name) => name.startsWith("state-"));
  const theirs = new Set(process.env.MSF_TEST_HOME ? stateDirs() : []);
  const abort = new AbortController();
  const ctx = createContext({ env: { MSF_HOME: home }, signal: abort.signal });
  const debian12 = findDistribution("debian-12");
  if (!debian12) throw new Error("debian-12 is missing from the catalog");
  project.provide("msfHome", home);
  const started = Date.now();
  // What production runs: bookworm with its -updates and -security, as the archive serves them now.
  const build = goldenImage(ctx, debian12).then(
    async ({ image, built }) => {
      console.log(
        `[vm tests] Debian 12 image ${image.manifest.key} ${built ? "built" : "reused"} in ${((Date.now() - started) / 1000).toFixed(1)} s under ${home}`,
      );
      await writeJsonAtomic(sharedImageRecord(home), { key: image.manifest.key });
    },
    (error: Error) => writeJsonAtomic(sharedImageRecord(home), { error: error.message }),
  );
  return async () => {
    abort.abort(); // a run that ends before the build does (a filter without VM tests) stops it
    await build;
    // Whatever a failed test left running ends here, by the records of what msf started in this
    // run: its test files' state directories, and the home itself when this run created it (the
    // image build's own processes end with the build).
    const ours = stateDirs()
      .filter((name) => !theirs.has(name))
      .map((name) => join(home, name));
    for (const dir of process.env.MSF_TEST_HOME ? ours : [home, ...ours]) {
      const registry = new ProcessRegistry(join(dir, "pids"));
      for (const { record } of await registry.list()) await registry.end(record, 2_000);
    }
    if (!process.env.MSF_TEST_HOME) rmSync(home, { recursive: true, force: true });
  };
}
