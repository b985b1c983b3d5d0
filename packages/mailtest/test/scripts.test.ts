import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sh } from "@msf/ssh";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import {
  DOVECOT_CONFIG_PARSES,
  disableUnitsScript,
  dkimKeyScript,
  FILE_STATES,
  POSTFIX_QUICK_START,
  POSTFIX_RUNNING,
  serviceScript,
  TLD_LIST_SCRIPT,
  unitStatusScript,
  vmailScript,
  WAIT_FOR_POSTGRESQL,
} from "../src/deploy/scripts.ts";

const temp = makeTempDir();
afterAll(() => temp.remove());

describe("the deploy's guest scripts", () => {
  it("are what the golden file says (each value quoted by sh)", async () => {
    const scripts: Record<string, string> = {
      "service postfix (restart, quick start)": serviceScript("postfix.service", true, POSTFIX_QUICK_START).text,
      "service redis-server": serviceScript("redis-server", false).text,
      vmail: vmailScript().text,
      "wait for postgresql": WAIT_FOR_POSTGRESQL.text,
      "postfix running": POSTFIX_RUNNING.text,
      "dovecot config parses": DOVECOT_CONFIG_PARSES.text,
      "disable updaters": disableUnitsScript(["clamav-freshclam.service", "clamav-freshclam-once.timer"]).text,
      "tld list": TLD_LIST_SCRIPT.text,
      "dkim key": dkimKeyScript("/var/lib/rspamd/dkim/msf.test.msf.key", "_rspamd").text,
      "unit status": unitStatusScript(["postfix", "dovecot"]).text,
      "file states": FILE_STATES,
    };
    const golden = Object.entries(scripts)
      .map(([name, text]) => `# ${name}\n${text}\n`)
      .join("\n");
    await expect(golden).toMatchFileSnapshot("golden/scripts.sh");
    for (const [name, text] of Object.entries(scripts)) expect(spawnSync("sh", ["-n", "-c", text]).status, `${name} parses`).toBe(0);
  });

  it("the service script, run by a real sh against a stub systemctl, enables, starts, restarts and fails as it should", () => {
    const bin = join(temp.path, "bin");
    execFileSync("mkdir", ["-p", bin]);
    const calls = join(temp.path, "calls");
    // The stub: is-enabled / is-active answer from the environment; a start fails when START_FAILS=1.
    writeFileSync(
      join(bin, "systemctl"),
      `#!/bin/sh\necho "systemctl $* SKIP_SYSV=\${SYSTEMCTL_SKIP_SYSV:-}" >> ${calls}\ncase "$1" in\n  is-enabled) [ "$ENABLED" = 1 ];;\n  is-active) [ "$ACTIVE" = 1 ];;\n  start|restart) [ "$START_FAILS" != 1 ];;\nesac\n`,
    );
    writeFileSync(join(bin, "journalctl"), `#!/bin/sh\necho "journal of $*"\n`);
    chmodSync(join(bin, "systemctl"), 0o755);
    chmodSync(join(bin, "journalctl"), 0o755);
    const marker = join(temp.path, "before-start");
    const run = (env: Record<string, string>, restart: boolean) => {
      writeFileSync(calls, "");
      const result = spawnSync("sh", ["-c", serviceScript("postfix.service", restart, sh`touch ${marker}`).text], {
        env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
        encoding: "utf8",
      });
      return { ...result, calls: readFileSync(calls, "utf8").trim().split("\n") };
    };

    const fresh = run({ ENABLED: "0", ACTIVE: "0" }, false);
    expect(fresh.stdout.trim()).toBe("enabled started");
    expect(fresh.calls).toContain("systemctl enable --no-reload --quiet postfix.service SKIP_SYSV=1");
    expect(fresh.calls).toContain("systemctl start postfix.service SKIP_SYSV=");
    expect(existsSync(marker)).toBe(true);

    const settled = run({ ENABLED: "1", ACTIVE: "1" }, false);
    expect(settled.stdout.trim()).toBe("");
    expect(settled.calls.some((c) => /start|restart|enable /.test(c))).toBe(false);

    expect(run({ ENABLED: "1", ACTIVE: "1" }, true).stdout.trim()).toBe("restarted");

    const broken = run({ ENABLED: "1", ACTIVE: "0", START_FAILS: "1" }, false);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("journal of --no-pager --lines=25 --unit=postfix*");
  });
});
