import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readPin } from "@msf/qemu";
import { parseReport, type UpgradeRow, verdictOf } from "@msf/report";
import { type PlannedTask, parseRunConfig, runMatrix, type StepRunner } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { publishStandInImage } from "./stand-in-image.ts";

// `msf run --matrix upgrades` through the real executor, journal and report, with stand-in steps for
// the VM work: "install" publishes a tiny image, "upgrade" leaves what the real step leaves (the
// hop's row in the VM's upgrade directory, the checks after) and fails the way it does when broken.
const temp = makeTempDir();
afterAll(() => temp.remove());
const ctx = createContext({ env: { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" } });
const config = parseRunConfig({ matrix: "upgrades", images: { offline: true } });

const row = (verdict: UpgradeRow["verdict"]): UpgradeRow => ({
  hop: "debian-12 -> debian-13",
  from: "debian-12",
  to: "debian-13",
  verdict,
  stagesMs: { before: 280_000, upgrade: 1_400_000, reboot: 40_000, after: 60_000 },
  steps: [{ name: "full-upgrade", exitCode: 0, ms: 1_300_000, log: "debian-12-to-debian-13.full-upgrade.log" }],
  checks: { passed: verdict === "survived" ? 2 : 1, failed: verdict === "survived" ? 0 : 1, failing: verdict === "survived" ? [] : ["imap-login: refused"] },
  integrity: { intact: true, rows: [{ subject: "queue", check: "queue", status: "ok", detail: "1 queued before, still queued" }] },
  packages: [{ name: "dovecot-core", from: "1:2.3.19.1", to: "1:2.4.1" }],
  conffiles: [],
  failedUnits: verdict === "survived" ? [] : [{ unit: "dovecot.service", journal: "doveconf: Fatal: Unknown setting: mail_location" }],
});

function standIn(key: string, verdict: UpgradeRow["verdict"]): (run: { runDir: string }) => StepRunner {
  return ({ runDir }) => ({
    async run(task: PlannedTask) {
      if (task.phase === "install") return publishStandInImage(ctx.paths.images, join(temp.path, "work"), key, { suites: [], packages: [] });
      if (task.phase === "upgrade") {
        const vmDir = join(runDir, "vms", "debian-12");
        mkdirSync(join(vmDir, "upgrade"), { recursive: true });
        writeFileSync(join(vmDir, "upgrade", "debian-12-to-debian-13.json"), JSON.stringify(row(verdict)));
        const status = (ok: boolean) => (ok ? "pass" : "fail");
        const checks = [
          { id: "smtp-starttls", component: "postfix", status: "pass", durationMs: 1, message: "ok", evidence: [] },
          { id: "imap-login", component: "dovecot", status: status(verdict === "survived"), durationMs: 1, message: "login", evidence: [] },
        ];
        writeFileSync(join(vmDir, "checks.json"), JSON.stringify(checks));
        if (verdict !== "survived") throw new Error("debian-12 -> debian-13: broken");
        return { hop: "debian-12 -> debian-13", verdict, row: "vms/debian-12/upgrade/debian-12-to-debian-13.json" };
      }
      return {};
    },
    cleanup: async () => {},
    holds: async () => true,
  });
}

async function run(key: string, verdict: UpgradeRow["verdict"]) {
  const result = await runMatrix(ctx, { config, distros: ["debian-12"], runner: standIn(key, verdict) });
  return { ...result, report: parseReport(readFileSync(join(result.reportDir, "report.json"), "utf8")) };
}

describe("the upgrades matrix", () => {
  it("reports a row per hop beside the distribution's phases, its logs named from the run directory; pins nothing", async () => {
    const survived = await run("4444444444444444", "survived");
    expect(survived.status).toBe("passed");
    const [d12] = survived.report.distributions;
    expect(d12?.name).toBe("Debian 12 (bookworm) -> Debian 13 (trixie)");
    expect(d12?.phases.map((p) => `${p.phase}:${p.status}`)).toEqual(["install:done", "archive:done", "upgrade:done"]);
    expect(d12 && verdictOf(d12)).toBe("passed");
    expect(d12?.changes).toBeUndefined();
    expect(survived.report.upgrades).toEqual([
      { ...row("survived"), steps: [{ ...row("survived").steps[0], log: "vms/debian-12/upgrade/debian-12-to-debian-13.full-upgrade.log" }] },
    ]);
    const md = readFileSync(join(survived.reportDir, "report.md"), "utf8");
    expect(md).toContain("| debian-12 -> debian-13 | survived | 280.0 s | 1400.0 s | 40.0 s | 60.0 s | 2/2 | intact |");
    expect(await readPin(ctx.paths.images, "debian-12")).toBeUndefined();

    const broken = await run("5555555555555555", "broken");
    expect(broken.status).toBe("failed");
    expect(broken.report.distributions[0]?.phases.at(-1)).toMatchObject({ phase: "upgrade", status: "failed" });
    expect(readFileSync(join(broken.reportDir, "report.md"), "utf8")).toContain(
      "- failed unit dovecot.service: doveconf: Fatal: Unknown setting: mail_location",
    );
  });
});
