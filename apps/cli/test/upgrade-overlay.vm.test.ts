import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { qemuProcessesUnder, runMsf, vmTestHome } from "@msf/test-utils";
import type { UpgradeResult } from "@msf/vm";
import { afterAll, describe, expect, it } from "vitest";

// Debian 12 -> 13 with the admin's own Dovecot snippet laid over msf's recipe: a setting Dovecot
// 2.3 knows and 2.4 renamed. It works before the upgrade; after it, even msf's configuration for
// 2.4 cannot start Dovecot, because it includes the snippet. The report must say so: Dovecot, its
// parser's error, and the admin's file, not msf's.
const home = vmTestHome();
afterAll(() => home.remove());
const NAME = "hop-overlay";

describe("msf upgrade debian-12 --to debian-13 --overlay", () => {
  it("names the admin's 2.3-only Dovecot file that keeps the upgraded server broken", async () => {
    const overlay = join(home.home, "my-etc");
    mkdirSync(join(overlay, "etc/dovecot"), { recursive: true });
    writeFileSync(join(overlay, "etc/dovecot/local.conf"), "# the admin's own setting (2.4 renamed it auth_allow_cleartext)\ndisable_plaintext_auth = yes\n");

    const run = await runMsf(["upgrade", "debian-12", "--to", "debian-13", "--overlay", overlay, "--name", NAME, "--json"], home.env, 4_800_000);
    expect(run.last, run.stderr).toMatchObject({ type: "result" });
    const { hops, dir, before } = run.last as unknown as UpgradeResult;
    const [hop] = hops;
    if (!hop) throw new Error("no hop in the result");
    // The snippet is valid for 2.3: every check passed before the upgrade.
    expect(before.checks.failed).toBe(0);
    expect(run.code).not.toBe(0);
    expect(hop.verdict).toBe("broken");
    // msf's recipe for 13 was deployed to repair it, and Dovecot refused the admin's file, by line.
    const refusal = /doveconf: Fatal: Error in configuration file \/etc\/dovecot\/local\.conf line 2: .*disable_plaintext_auth/;
    expect(hop.repair).toMatchObject({ afterStep: "full-upgrade", finished: false, message: expect.stringMatching(refusal) });
    expect(hop.failedUnits.map((u) => u.unit)).toContain("dovecot.service");
    for (const file of ["report.md", "index.html", "junit.xml", "report.json"]) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text, file).toContain("/etc/dovecot/local.conf line 2");
      expect(text, file).toContain("disable_plaintext_auth");
    }

    const down = await runMsf(["vm", "down", NAME, "--json"], home.env, 180_000);
    expect(down.code, down.stderr).toBe(0);
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 4_800_000);
});
