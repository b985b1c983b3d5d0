import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { catalog, findDistribution, upgradeHops } from "@msf/catalog";
import { upgradePlan } from "@msf/mailtest";
import { makeTempDir } from "@msf/test-utils";
import { describe, expect, it } from "vitest";

const hop = (from: string, to: string) => {
  const found = upgradeHops(catalog).find((h) => h.from.id === from && h.to.id === to);
  if (!found) throw new Error(`no hop ${from} -> ${to}`);
  return found;
};

describe("release upgrade plans", () => {
  it("has the hops each publisher supports, and none to or from a moving target", () => {
    const hops = upgradeHops(catalog).map((h) => `${h.from.id} -> ${h.to.id}`);
    expect(hops).toEqual(
      expect.arrayContaining(["debian-11 -> debian-12", "debian-12 -> debian-13", "ubuntu-22.04 -> ubuntu-24.04", "fedora-42 -> fedora-44"]),
    );
    expect(hops).toEqual(expect.arrayContaining(["rhel-9 -> rhel-10", "almalinux-9 -> almalinux-10", "rocky-9 -> rocky-10", "opensuse-15.6 -> opensuse-16.0"]));
    expect(hops.some((h) => /testing|unstable|debian-11 -> debian-13|ubuntu-24.04 -> ubuntu-26.10|fedora-38 -> fedora-41/.test(h))).toBe(false);
    expect(findDistribution("debian-testing") && hops.filter((h) => h.includes("debian-testing"))).toEqual([]);
  });

  it("renders every family's documented steps (golden), each a script sh can parse; only Debian's is proven", async () => {
    const hops = [
      hop("debian-12", "debian-13"),
      hop("ubuntu-24.04", "ubuntu-26.04"),
      hop("fedora-43", "fedora-44"),
      hop("almalinux-9", "almalinux-10"),
      hop("opensuse-15.6", "opensuse-16.0"),
    ];
    const text = hops
      .map((h) => {
        const plan = upgradePlan(h);
        for (const step of [...plan.steps, ...(plan.resume ? [plan.resume] : [])])
          expect(spawnSync("sh", ["-n", "-c", step.script.text]).status, `${plan.hop} ${step.name} parses`).toBe(0);
        return [
          `## ${plan.hop} (${plan.proven ? "proven in a VM" : "not proven in a VM"}; ${plan.reference})`,
          ...[...plan.steps, ...(plan.resume ? [plan.resume] : [])].map((s) => `### ${s.name} (${s.timeoutMs / 60_000} min)\n${s.script.text}`),
        ].join("\n");
      })
      .join("\n\n");
    await expect(`${text}\n`).toMatchFileSnapshot("golden/upgrade-plans.txt");
    expect(hops.map((h) => upgradePlan(h).proven)).toEqual([true, false, false, false, false]);
    // The policy reaches ucf too (Dovecot 2.4 manages dovecot.conf with it): dpkg's option alone would not.
    const maintainer = upgradePlan(hop("debian-12", "debian-13"), "maintainer");
    expect(maintainer.steps.find((s) => s.name === "full-upgrade")?.script.text).toMatch(/^UCF_FORCE_CONFFNEW=1 .*--force-confnew/);
    expect(maintainer.resume?.script.text).toMatch(/^UCF_FORCE_CONFFNEW=1 .*--force-confnew/);
  });

  it("switches every APT source of the old release, -updates and -security with it, and nothing else", () => {
    const temp = makeTempDir();
    try {
      const root = join(temp.path, "etc/apt");
      mkdirSync(join(root, "sources.list.d"), { recursive: true });
      writeFileSync(
        join(root, "sources.list"),
        "deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n",
      );
      writeFileSync(join(root, "sources.list.d/debian.sources"), "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-backports\n");
      writeFileSync(join(root, "sources.list.d/other.list"), "deb http://example.org/bookwormish stable main\n");
      const sources = upgradePlan(hop("debian-12", "debian-13")).steps[0];
      const script = sources?.script.text.replaceAll("/etc/apt", root) as string;
      const out = execFileSync("sh", ["-c", script], { encoding: "utf8" });
      expect(out.trim().split("\n").sort()).toEqual([`switched ${root}/sources.list`, `switched ${root}/sources.list.d/debian.sources`]);
      expect(readFileSync(join(root, "sources.list"), "utf8")).toBe(
        "deb http://deb.debian.org/debian trixie main\ndeb http://deb.debian.org/debian trixie-updates main\ndeb http://deb.debian.org/debian-security trixie-security main\n",
      );
      expect(readFileSync(join(root, "sources.list.d/debian.sources"), "utf8")).toContain("Suites: trixie trixie-backports\n");
      expect(readFileSync(join(root, "sources.list.d/other.list"), "utf8")).toBe("deb http://example.org/bookwormish stable main\n");
    } finally {
      temp.remove();
    }
  });
});
