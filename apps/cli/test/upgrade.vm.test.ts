import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compareMailStates, MailStateSchema, readMailState } from "@msf/mailtest";
import { createContext } from "@msf/supervisor";
import { qemuProcessesUnder, runMsf, vmTestHome } from "@msf/test-utils";
import { type UpgradeResult, vmMailTarget } from "@msf/vm";
import { afterAll, describe, expect, it } from "vitest";

// Debian 12 -> 13 in place with msf's recipe, end to end: deploy on the shared Debian 12 image,
// fill the mailboxes, the documented upgrade (conffiles kept), reboot, every check again, the mail
// compared. Dovecot 2.4 refuses the kept 2.3 configuration: the report must name it, and say that
// redeploying msf's recipe for 13 lets the upgrade finish with the mail intact.
const home = vmTestHome();
afterAll(() => home.remove());
const NAME = "hop";

describe("msf upgrade debian-12 --to debian-13", () => {
  it("names what the upgrade broke, repairs it with msf's recipe and keeps every message, UID and flag", async () => {
    const run = await runMsf(["upgrade", "debian-12", "--to", "debian-13", "--name", NAME, "--json"], home.env, 4_800_000);
    expect(run.last, run.stderr).toMatchObject({ type: "result" });
    const { hops, dir, before } = run.last as unknown as UpgradeResult;
    const [hop] = hops;
    if (!hop) throw new Error("no hop in the result");
    expect(before.checks.failed).toBe(0);
    expect(before.messages).toBeGreaterThan(10);
    // Broken by the upgrade, so msf says so with its exit code; repaired by msf's recipe for 13.
    expect(run.code).not.toBe(0);
    expect(hop.verdict).toBe("repaired-by-redeploy");
    const failed = hop.steps.find((step) => step.exitCode !== 0);
    expect(failed?.name).toBe("full-upgrade");
    // Dovecot's own parser error, with the file and line it refused.
    expect(failed?.errors).toMatch(/doveconf: Fatal: Error in configuration file \/etc\/dovecot\/dovecot\.conf line \d+: .*dovecot_config_version/);
    expect(hop.failedUnits.map((u) => u.unit)).toContain("dovecot.service");
    expect(hop.repair).toMatchObject({ afterStep: "full-upgrade", finished: true });
    expect(hop.packages.find((p) => p.name === "dovecot-core")).toMatchObject({ from: expect.stringMatching(/:2\.3\./), to: expect.stringMatching(/:2\.4\./) });
    expect(hop.checks).toMatchObject({ failed: 0 });
    // Every check passes on PostgreSQL 15 still: the report says moving the data to 17 is still to do.
    expect(hop.notices).toEqual([
      expect.stringMatching(/^PostgreSQL 15\/main \(port 5432, online\) still holds the data while 17 is installed: .*pg_upgradecluster 15 main$/),
    ]);
    expect(Object.keys(hop.stagesMs).sort()).toEqual(["after", "before", "reboot", "redeploy", "upgrade"]);
    // The integrity table, read as the upgrade left the server: each folder's UIDVALIDITY, messages,
    // UIDs and flags, the queue and the DKIM key (a "folder" row appears only for a folder that is gone).
    expect(hop.integrity?.intact, JSON.stringify(hop.integrity?.rows.filter((r) => r.status !== "ok"))).toBe(true);
    expect(hop.integrity?.readAfter).toBe("upgrade");
    expect(new Set(hop.integrity?.rows.map((r) => r.check))).toEqual(new Set(["uidvalidity", "messages", "uids", "flags", "queue", "dkim"]));
    for (const file of ["report.md", "index.html", "junit.xml", "report.json"]) expect(readFileSync(join(dir, file), "utf8"), file).toContain("debian-13");
    expect(readFileSync(join(dir, "debian-12-to-debian-13.evidence.txt"), "utf8")).toMatch(/## failed unit dovecot\.service/);

    // The comparison can fail: a message deleted on purpose after the upgrade is reported missing.
    const stateBefore = MailStateSchema.parse(JSON.parse(readFileSync(join(dir, "state-before.json"), "utf8")));
    const [picked] = stateBefore.mailboxes.flatMap((mailbox) =>
      mailbox.folders.flatMap((folder) => folder.messages.map((message) => ({ mailbox, folder, message }))),
    );
    if (!picked) throw new Error("no message recorded before the upgrade");
    const { mailbox, folder, message } = picked;
    const ctx = createContext({ env: home.env });
    const { target } = await vmMailTarget(ctx, NAME);
    try {
      const expunged = await target.ssh?.exec(["doveadm", "expunge", "-u", mailbox.address, "mailbox", folder.path, "uid", String(message.uid)], {
        timeoutMs: 60_000,
      });
      expect(expunged?.exitCode, expunged?.stderr).toBe(0);
      const report = compareMailStates(stateBefore, await readMailState(target));
      expect(report.intact).toBe(false);
      expect(report.rows.filter((r) => r.status === "failed")).toEqual([
        expect.objectContaining({
          subject: `${mailbox.address} ${folder.path}`,
          check: "messages",
          detail: expect.stringContaining(`missing: UID ${message.uid} `),
        }),
      ]);
    } finally {
      target.ssh?.close();
    }
    const down = await runMsf(["vm", "down", NAME, "--json"], home.env, 180_000);
    expect(down.code, down.stderr).toBe(0);
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 4_800_000);
});
