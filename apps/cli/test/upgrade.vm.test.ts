import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compareMailStates, type MailState, readMailState } from "@msf/mailtest";
import { createContext } from "@msf/supervisor";
import { qemuProcessesUnder, runMsf, vmTestHome } from "@msf/test-utils";
import { applyOverlay, type UpgradeResult, vmDown, vmMailTarget } from "@msf/vm";
import { afterAll, describe, expect, it } from "vitest";

// Debian 12 -> 13 in place, through `msf upgrade`, with msf's recipe and mail in the mailboxes: the
// upgrade the Dovecot 2.3 -> 2.4 change makes risky. The VM boots from the global setup's Debian 12
// image. dpkg keeps msf's 2.3 configuration (the default conffile policy), Dovecot 2.4 refuses it,
// msf names that, and redeploying msf's recipe for 2.4 repairs it with every message kept.
const home = vmTestHome();
const ctx = createContext({ env: home.env });
const NAME = "upgrade-debian-12";

afterAll(async () => {
  await vmDown(ctx, { name: NAME, graceMs: 10_000 }).catch(() => undefined);
  home.remove();
});

describe("msf upgrade debian-12 --to debian-13", () => {
  let result: UpgradeResult;

  it("upgrades the deployed server with its mail; names what broke (Dovecot 2.4 on a 2.3 configuration); redeploying repairs it; every message, UID, flag and folder kept", async () => {
    const run = await runMsf(["upgrade", "debian-12", "--to", "debian-13", "--json"], home.env, 3_600_000);
    expect(run.last?.type, run.stderr.slice(-4_000)).toBe("result");
    result = run.last as unknown as UpgradeResult;
    const [hop] = result.hops;
    if (!hop) throw new Error("no hop");
    console.log(`[upgrade] ${hop.hop}: ${hop.verdict}; stages ${JSON.stringify(hop.stagesMs)}; steps ${JSON.stringify(hop.steps.map((s) => [s.name, s.ms]))}`);
    // Debian 13's dovecot-core refuses msf's Dovecot 2.3 configuration (kept by the default conffile
    // policy) in its postinst: apt stops; msf deploys its 2.4 recipe and lets the upgrade finish.
    expect(hop.steps.map((s) => [s.name, s.exitCode])).toEqual([
      ["sources", 0],
      ["update", 0],
      ["minimal-upgrade", 0],
      ["full-upgrade", 100],
      ["configure-pending", 0],
      ["full-upgrade", 0],
      ["autoremove", 0],
    ]);
    expect(hop.steps[3]?.errors).toMatch(/dovecot_config_version[\s\S]*dpkg: error processing package dovecot-core/);
    expect(hop.repair).toEqual({ afterStep: "full-upgrade", finished: true });
    // Before: msf's recipe deployed on Debian 12 passes every check, and the mailboxes hold the corpus.
    expect(result.before.checks).toMatchObject({ passed: 20, failed: 0 });
    expect(result.before.messages).toBeGreaterThanOrEqual(10);
    expect(result.before.queued).toBe(1);
    expect(hop.packages.find((p) => p.name === "dovecot-core")?.to).toMatch(/^1:2\.4/);
    expect(hop.packages.find((p) => p.name === "postfix")?.to).toMatch(/^3\.(9|10)/);

    // What the upgrade broke, named with Dovecot's own words and the file ucf left beside msf's.
    expect(hop.failedUnits.find((u) => u.unit === "dovecot.service")?.journal).toMatch(
      /\/etc\/dovecot\/dovecot\.conf line \d+: The first setting must be dovecot_config_version/,
    );
    expect(hop.conffiles.map((c) => c.file)).toContain("/etc/dovecot/dovecot.conf.ucf-dist");
    // ...and with msf's recipe for 2.4 the upgraded server passes every check, with the mail intact.
    expect(hop.checks?.failed).toBe(0);
    expect(hop.integrity?.rows.filter((r) => r.status !== "ok")).toEqual([]);
    expect(hop.verdict).toBe("repaired-by-redeploy");
    expect(run.code).toBe(12);

    // The reboot went through the upgraded system's own kernel (Debian 13's 6.12).
    expect(readFileSync(join(home.home, "vms", NAME, "serial.log"), "utf8")).toMatch(/Linux version 6\.12/);
    // The four report formats, with the upgrade's row.
    for (const file of ["report.json", "report.md", "junit.xml", "index.html"]) expect(existsSync(join(result.dir, file)), file).toBe(true);
    expect(readFileSync(join(result.dir, "report.md"), "utf8")).toContain("| debian-12 -> debian-13 | repaired-by-redeploy |");
  }, 3_600_000);

  it("the comparison names a message deleted on purpose; a 2.3-only overlay is refused by Dovecot 2.4, naming the file", async () => {
    const before = JSON.parse(readFileSync(join(result.dir, "state-after-debian-13.json"), "utf8")) as MailState;
    const { target } = await vmMailTarget(ctx, NAME);
    try {
      const account = target.accounts.find((a) => a.password);
      if (!account) throw new Error("no account with a password");
      const victim = before.mailboxes.find((m) => m.address === account.address)?.folders.find((f) => f.path === "Archive")?.messages[0];
      const expunged = await target.ssh?.exec(["doveadm", "expunge", "-u", account.address, "mailbox", "Archive", "uid", String(victim?.uid)], {
        timeoutMs: 60_000,
      });
      expect(expunged?.exitCode, expunged?.stderr).toBe(0);
      const report = compareMailStates(before, await readMailState(target));
      expect(report.intact).toBe(false);
      expect(report.rows.filter((r) => r.status === "failed").map((r) => `${r.subject} ${r.check}`)).toEqual([`${account.address} Archive messages`]);
      expect(report.rows.find((r) => r.status === "failed")?.detail).toContain(`UID ${victim?.uid} `);
    } finally {
      target.ssh?.close();
    }

    const overlay = join(home.home, "overlay-2.3");
    mkdirSync(join(overlay, "etc/dovecot"), { recursive: true });
    writeFileSync(join(overlay, "etc/dovecot/local.conf"), "mail_location = maildir:~/Maildir\n");
    await expect(applyOverlay(ctx, NAME, overlay)).rejects.toThrow(/dovecot does not start with it:[\s\S]*\/etc\/dovecot\/local\.conf line 1/);

    await vmDown(ctx, { name: NAME, graceMs: 30_000 });
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 600_000);
});
