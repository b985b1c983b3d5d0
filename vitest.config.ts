import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Tests import the packages' TypeScript sources (export condition "msf-source"), so no build is needed.
// Fast tests mostly wait on child processes and loopback servers: three at a time on two cores (four
// cost more CPU in contention than they overlap in waiting: 139 s against 103 s). A
// worker keeps its loaded modules from one test file to the next (no test mocks a module or a
// global), which saves a fifth of the fast suite's CPU. The real-VM tests come after them, two at a
// time (emulated VMs need the cores).
const FAST = { sequence: { groupOrder: 0 }, maxWorkers: 3, isolate: false };
const conditions = ["msf-source", "module", "node", "development|production"];
const VM_TESTS = "test/**/*.vm.test.ts";
/**
 * The Debian 12 -> 13 hops (msf's recipe; the admin's overlay): each half an hour of dpkg under
 * emulation. One took 51 min beside the other VM tests, and the suite 60 min with it. Outside the
 * suite until a hop costs less; `pnpm test:upgrade` (MSF_TEST_UPGRADE=1) runs them.
 */
const UPGRADE_HOPS = "apps/cli/test/upgrade*.vm.test.ts";

/** Minutes each long VM test file took in CI: started longest first, the two workers end together. */
const VM_MINUTES: Record<string, number> = {
  "upgrade.vm": 50,
  "upgrade-overlay.vm": 45,
  "run.vm": 34,
  "next.vm": 14,
  "mail.vm": 11,
  "install.vm": 5,
  "image-update.vm": 2,
  "firmware-boot.vm": 1.5,
  "boot.vm": 1,
};

class LongestVmTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const minutes = (file: TestSpecification) => VM_MINUTES[basename(file.moduleId, ".test.ts")] ?? 0;
    const vm = sorted.filter((file) => file.project.name === "real-vm").sort((a, b) => minutes(b) - minutes(a));
    return [...sorted.filter((file) => file.project.name !== "real-vm"), ...vm];
  }
}

const packageDirs = ["packages", "apps"].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${group}/${entry.name}`),
);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  environments: { __vitest__: { resolve: { conditions } } },
  test: {
    sequence: { sequencer: LongestVmTestsFirst },
    projects: [
      // Fast tests: one project per package, named after its folder (`--project supervisor`).
      ...packageDirs.map((dir) => ({
        extends: true as const,
        test: {
          name: dir.split("/")[1],
          root: dir,
          include: ["test/**/*.test.ts"],
          exclude: [VM_TESTS],
          // CLI tests run msf several times; in CI they share two cores with the VM image build.
          testTimeout: 60_000,
          ...FAST,
        },
      })),
      // Repository-wide checks (README examples, generated files).
      { extends: true as const, test: { name: "repo", include: ["test/**/*.test.ts"], exclude: [VM_TESTS], testTimeout: 120_000, ...FAST } },
      // Real-VM tests of every package: one image build per run (globalSetup, while the fast tests run), long timeouts.
      {
        extends: true as const,
        test: {
          name: "real-vm",
          include: packageDirs.map((dir) => `${dir}/${VM_TESTS}`),
          exclude: process.env.MSF_TEST_UPGRADE === "1" ? [] : [UPGRADE_HOPS],
          globalSetup: ["test/vm-global-setup.ts"],
          setupFiles: ["test/vm-setup.ts"],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
        },
      },
    ],
  },
});
