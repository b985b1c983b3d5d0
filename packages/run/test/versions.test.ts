import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InstalledPackage } from "@msf/catalog";
import { readPin } from "@msf/qemu";
import { type DistributionResult, parseReport, verdictOf } from "@msf/report";
import { compareRuns, type PlannedTask, parseRunConfig, runMatrix, type StepRunner } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { publishStandInImage } from "./stand-in-image.ts";

// The report's evidence of versions, end to end through `runMatrix`, with stand-in steps for the VM
// work: each "install" publishes a (tiny) image, each "test" writes the guest's package list and the
// checks the way the real steps do. Everything after that (journal, report, baseline, pin) is real.
const temp = makeTempDir();
afterAll(() => temp.remove());
const ctx = createContext({ env: { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" } });
const config = parseRunConfig({ matrix: ["debian-12"], images: { offline: true } });

const pkg = (name: string, version: string): InstalledPackage => ({ name, version, architecture: "amd64" });

function standIn(key: string, packages: InstalledPackage[], failing: string[] = []): (run: { runDir: string }) => StepRunner {
  return ({ runDir }) => ({
    async run(task: PlannedTask) {
      const vmDir = join(runDir, "vms", task.distro ?? "");
      if (task.phase === "install") {
        const suites = [{ suite: "bookworm", date: "2026-11-28T00:00:00.000Z", digest: key.slice(0, 16) }];
        return publishStandInImage(ctx.paths.images, join(temp.path, "work"), key, { suites, packages });
      }
      if (task.phase === "test") {
        mkdirSync(vmDir, { recursive: true });
        writeFileSync(join(vmDir, "packages.json"), JSON.stringify({ kernelRelease: "6.1.0-41-amd64", packages }));
        const checks = ["smtp-starttls", "imap-login"].map((id) => ({
          id,
          component: "x",
          status: failing.includes(id) ? "fail" : "pass",
          durationMs: 1,
          message: id,
          evidence: [],
        }));
        writeFileSync(join(vmDir, "checks.json"), JSON.stringify(checks));
        if (failing.length) throw new Error(`${failing.length} checks failed`);
      }
      return {};
    },
    cleanup: async () => {},
    holds: async () => true,
  });
}

async function run(key: string, packages: InstalledPackage[], failing: string[] = [], phase?: "install") {
  const result = await runMatrix(ctx, { config, runner: standIn(key, packages, failing), phase });
  return { ...result, report: parseReport(readFileSync(join(result.reportDir, "report.json"), "utf8")) };
}

describe("versions in every report", () => {
  it("records the versions tested, pins a passing run's image, and shows what changed under a newly failing check", async () => {
    const first = await run("1111111111111111", [pkg("dovecot-core", "2.3.19.1-2+deb12u1"), pkg("postfix", "3.7.11-0+deb12u1")]);
    expect(first.status).toBe("passed");
    const [d12] = first.report.distributions;
    expect(first.report.schemaVersion).toBe(2);
    expect(d12?.versions).toMatchObject({ source: "guest", kernelRelease: "6.1.0-41-amd64", packages: 2, packagesFile: "packages/debian-12.json" });
    expect(d12?.versions?.stack.find((v) => v.component === "dovecot")).toEqual({
      component: "dovecot",
      package: "dovecot-core",
      version: "2.3.19.1-2+deb12u1",
    });
    expect(d12?.image).toMatchObject({ key: "1111111111111111", suites: [{ suite: "bookworm", digest: "1111111111111111" }] });
    expect(d12?.lifecycle?.note).toMatch(/^supported until 2028-06-30$/);
    expect(d12?.changes).toBeUndefined(); // no earlier pass
    expect(JSON.parse(readFileSync(join(first.reportDir, "packages/debian-12.json"), "utf8")).packages).toHaveLength(2);
    expect(await readPin(ctx.paths.images, "debian-12")).toMatchObject({ key: "1111111111111111", runId: first.runId });

    // A Dovecot security update, and a login check now fails.
    const second = await run("2222222222222222", [pkg("dovecot-core", "2.3.19.1-2+deb12u2"), pkg("postfix", "3.7.11-0+deb12u1")], ["imap-login"]);
    expect(second.status).toBe("failed");
    expect(second.report.distributions[0]?.changes).toEqual({
      baseline: { runId: first.runId, finishedAt: first.report.finishedAt },
      packages: [{ name: "dovecot-core", from: "2.3.19.1-2+deb12u1", to: "2.3.19.1-2+deb12u2" }],
      newlyFailing: ["imap-login"],
      newlyPassing: [],
    });
    const md = readFileSync(join(second.reportDir, "report.md"), "utf8");
    expect(md).toContain("- dovecot-core 2.3.19.1-2+deb12u1 -> 2.3.19.1-2+deb12u2");
    expect(md).toContain("Newly failing: `imap-login`");
    expect(readFileSync(join(second.reportDir, "junit.xml"), "utf8")).toContain('<property name="changed-packages" value="1"/>');
    // The failing run pins nothing: the last known good is still the first run's image.
    expect(await readPin(ctx.paths.images, "debian-12")).toMatchObject({ key: "1111111111111111" });

    const diff = await compareRuns(ctx, first.runId, second.runId);
    expect(diff.packages["debian-12"]).toEqual([{ name: "dovecot-core", from: "2.3.19.1-2+deb12u1", to: "2.3.19.1-2+deb12u2" }]);
    expect(diff.newlyFailing).toEqual(["debian-12", "debian-12:imap-login"]);

    // A run stopped after install on purpose: partial, the later phases not run, no regression against a pass.
    const installOnly = await run("3333333333333333", [pkg("dovecot-core", "2.3.19.1-2+deb12u2")], [], "install");
    expect(installOnly.status).toBe("passed");
    expect(installOnly.report.distributions[0]?.phases.map((p) => `${p.phase}:${p.status}`)).toEqual([
      "install:done",
      "archive:not-run",
      "boot:not-run",
      "deploy:not-run",
      "test:not-run",
      "collect:not-run",
    ]);
    expect(verdictOf(installOnly.report.distributions[0] as DistributionResult)).toBe("partial");
    expect((await compareRuns(ctx, first.runId, installOnly.runId)).newlyFailing).toEqual([]);
    expect(await readPin(ctx.paths.images, "debian-12")).toMatchObject({ key: "1111111111111111" }); // a partial run pins nothing
  });
});
