import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { createContext, ProcessRegistry } from "@msf/supervisor";
import { goldenImage } from "@msf/vm";
import type { TestProject } from "vitest/node";

import "@msf/test-utils"; // declares the provided `msfHome`

/**
 * Builds the Debian 12 image once per test run, from the archive into a fresh temporary cache,
 * so the cold path is tested on every run and all VM test files share the result.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const home = process.env.MSF_TEST_HOME ?? mkdtempSync(join(tmpdir(), "msf-vm-tests-"));
  const ctx = createContext({ env: { MSF_HOME: home } });
  const started = Date.now();
  const debian12 = findDistribution("debian-12");
  if (!debian12) throw new Error("debian-12 is missing from the catalog");
  // What production runs: bookworm with its -updates and -security, as the archive serves them now.
  const { image, built } = await goldenImage(ctx, debian12);
  console.log(
    `[vm tests] Debian 12 image ${image.manifest.key} ${built ? "built" : "reused"} in ${((Date.now() - started) / 1000).toFixed(1)} s under ${home}`,
  );
  project.provide("msfHome", home);
  project.provide("debian12Key", image.manifest.key);
  return async () => {
    // Whatever a failed test left running ends here, by the records of what msf started.
    const stateDirs = [
      home,
      ...readdirSync(home)
        .filter((name) => name.startsWith("state-"))
        .map((name) => join(home, name)),
    ];
    for (const dir of stateDirs) {
      const registry = new ProcessRegistry(join(dir, "pids"));
      for (const { record } of await registry.list()) await registry.end(record, 2_000);
    }
    if (!process.env.MSF_TEST_HOME) rmSync(home, { recursive: true, force: true });
  };
}
