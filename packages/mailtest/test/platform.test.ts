import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { DNF_REPOSITORIES, FIREWALLD_SCRIPT, POSTGRESQL_SETUP, pgHbaScript, SELINUX_SCRIPT } from "../src/deploy/platform.ts";
import { stagesFor } from "../src/deploy/steps.ts";
import { FAMILIES } from "../src/recipe/families.ts";

// The RHEL family, Fedora and openSUSE cannot be installed here (no media is reachable): their
// deploy is held by golden files, parsed by sh -n, and the scripts that can run on any Linux run here.
const temp = makeTempDir();
afterAll(() => temp.remove());

describe("non-Debian families (not proven in a VM)", () => {
  it("run these deploy steps, stage by stage, per family (golden)", async () => {
    const text = Object.entries(FAMILIES)
      .map(([family, layout]) => {
        const stages = stagesFor(layout).map((stage, i) => `  stage ${i + 1}: ${stage.map((s) => s.name).join(", ")}`);
        return `${family}: ${JSON.stringify(layout.platform)}\n${stages.join("\n")}\n`;
      })
      .join("\n");
    await expect(text).toMatchFileSnapshot("golden/families-deploy.txt");
    expect(
      stagesFor(FAMILIES.apt)
        .flat()
        .map((s) => s.name),
    ).not.toContain("firewall");
    expect(
      stagesFor(FAMILIES.dnf)
        .flat()
        .map((s) => s.name),
    ).toEqual(expect.arrayContaining(["firewall", "selinux"]));
  });

  it("render these scripts (golden), each one valid sh", async () => {
    const scripts = {
      "repositories (dnf)": DNF_REPOSITORIES.text,
      "postgresql-setup (dnf)": POSTGRESQL_SETUP.text,
      "pg_hba (dnf, zypper)": pgHbaScript("/var/lib/pgsql/data/pg_hba.conf").text,
      firewalld: FIREWALLD_SCRIPT.text,
      selinux: SELINUX_SCRIPT.text,
    };
    await expect(
      Object.entries(scripts)
        .map(([name, text]) => `# ${name}\n${text}\n`)
        .join("\n"),
    ).toMatchFileSnapshot("golden/platform.sh");
    for (const [name, text] of Object.entries(scripts)) expect(spawnSync("sh", ["-n", "-c", text]).status, `${name} parses`).toBe(0);
    expect(DNF_REPOSITORIES.text).toContain("https://rspamd.com/rpm-stable/gpg.key");
  });

  it("pg_hba: puts password logins for the mail role first, keeps the rest and the file's mode, and changes nothing the second time", () => {
    const hba = join(temp.path, "pg_hba.conf");
    const defaults = "local all all peer\nhost all all 127.0.0.1/32 ident\nhost all all ::1/128 ident\n";
    writeFileSync(hba, defaults);
    chmodSync(hba, 0o600);
    const run = () => spawnSync("sh", ["-c", pgHbaScript(hba).text], { encoding: "utf8" });
    expect(run().stdout.trim()).toBe("changed");
    const first = readFileSync(hba, "utf8");
    expect(first.split("\n").slice(0, 4)).toEqual(["# msf: begin", "host mail mailreader 127.0.0.1/32 md5", "host mail mailreader ::1/128 md5", "# msf: end"]);
    expect(first.endsWith(defaults)).toBe(true);
    expect(statSync(hba).mode & 0o777).toBe(0o600);
    expect(run().stdout.trim()).toBe("");
    expect(readFileSync(hba, "utf8")).toBe(first);
  });

  it("firewalld: opens each mail service that is closed, then reloads once; does nothing where firewalld is not running", () => {
    const bin = join(temp.path, "bin");
    mkdirSync(bin, { recursive: true });
    const calls = join(temp.path, "firewall-calls");
    writeFileSync(join(bin, "systemctl"), `#!/bin/sh\n[ "$FIREWALLD" = 1 ]\n`);
    // Only smtp is open already.
    writeFileSync(
      join(bin, "firewall-cmd"),
      `#!/bin/sh\necho "$*" >> ${calls}\ncase "$*" in *--query-service=smtp) exit 0;; *--query-service=*) exit 1;; esac\n`,
    );
    for (const tool of ["systemctl", "firewall-cmd"]) chmodSync(join(bin, tool), 0o755);
    const run = (firewalld: string) => {
      writeFileSync(calls, "");
      const result = spawnSync("sh", ["-c", FIREWALLD_SCRIPT.text], { env: { PATH: `${bin}:/usr/bin:/bin`, FIREWALLD: firewalld }, encoding: "utf8" });
      return { stdout: result.stdout.trim(), calls: readFileSync(calls, "utf8").trim().split("\n").filter(Boolean) };
    };
    const on = run("1");
    expect(on.stdout).toBe("smtp-submission smtps imap imaps pop3 pop3s");
    expect(on.calls.filter((c) => c.includes("--add-service"))).toHaveLength(6);
    expect(on.calls.at(-1)).toBe("--quiet --reload");
    expect(run("0")).toEqual({ stdout: "", calls: [] });
  });
});
