import { findDistribution } from "@msf/catalog";
import { BASE_PACKAGES, bootstrapKey, customizeFiles, planBootstrap, recipeFor, unreachableUpdateSuites } from "@msf/preseed";
import { describe, expect, it } from "vitest";

const debian12 = findDistribution("debian-12");
if (!debian12) throw new Error("debian-12 missing");
const recipe = recipeFor(debian12);
const dirs = { setupDir: "/build/setup", customizeDir: "/build/customize", rootDir: "/build/root", debsIn: "/build/debs-in", debsOut: "/build/debs-out" };
const suites = [
  { suite: "bookworm", digest: "1111111111111111" },
  { suite: "bookworm-updates", digest: "2222222222222222" },
  { suite: "bookworm-security", digest: "3333333333333333" },
];

describe("bootstrap recipe", () => {
  it("plans the mmdebstrap build (golden)", async () => {
    const plan = planBootstrap(recipe, dirs, suites);
    await expect(`${JSON.stringify({ key: plan.key, mmdebstrapArgs: plan.mmdebstrapArgs, append: plan.append }, null, 2)}\n`).toMatchFileSnapshot(
      "golden/debian-12-plan.json",
    );
    const files = [...plan.setupFiles, ...plan.customizeFiles].map((f) => `### ${f.path} (${f.mode.toString(8)})\n${f.content}`).join("\n");
    await expect(files).toMatchFileSnapshot("golden/debian-12-files.txt");
  });

  it("keys the cache on what goes into the image, the state of each suite included, not on the mirror or the build directory", () => {
    const key = bootstrapKey(recipe, suites);
    expect(bootstrapKey({ ...recipe, mirror: "http://mirror.example/debian" }, suites)).toBe(key);
    expect(planBootstrap(recipe, { ...dirs, rootDir: "/elsewhere" }, suites).key).toBe(key);
    expect(bootstrapKey({ ...recipe, packages: ["postfix"] }, suites)).not.toBe(key);
    expect(bootstrapKey({ ...recipe, packages: ["postfix", "dovecot-core"] }, suites)).toBe(
      bootstrapKey({ ...recipe, packages: ["dovecot-core", "postfix"] }, suites),
    );
    // A security update: the same recipe, a new key.
    const updated = suites.map((s) => (s.suite === "bookworm-security" ? { ...s, digest: "4444444444444444" } : s));
    expect(bootstrapKey(recipe, updated)).not.toBe(key);
    // The states must be those of the recipe's suites: none left out, none foreign.
    expect(() => bootstrapKey(recipe, suites.slice(0, 2))).toThrow(/built from bookworm, bookworm-updates, bookworm-security/);
    expect(() => bootstrapKey({ ...recipe, suite: "trixie" }, suites)).toThrow(/suite states given are for bookworm/);
  });

  it("installs from the release, -updates and -security, with the host's package cache in and out", () => {
    const args = planBootstrap(recipe, dirs, suites).mmdebstrapArgs;
    expect(args.slice(-4)).toEqual([
      "/build/root",
      "http://deb.debian.org/debian",
      "deb http://deb.debian.org/debian bookworm-updates main",
      "deb http://deb.debian.org/debian-security bookworm-security main",
    ]);
    expect(args).toEqual(
      expect.arrayContaining([
        "--skip=download/empty",
        "--setup-hook=sync-in /build/debs-in /var/cache/apt/archives/",
        "--customize-hook=sync-out /var/cache/apt/archives /build/debs-out",
      ]),
    );
    expect(args.some((a) => a.includes("Check-Valid-Until"))).toBe(false);
    expect(planBootstrap({ ...recipe, acceptExpired: true }, dirs, suites).mmdebstrapArgs).toContain("--aptopt=Acquire::Check-Valid-Until false");
  });

  it("installs the base packages plus the recipe's, once each", () => {
    const plan = planBootstrap({ ...recipe, packages: ["postfix", "openssh-server"] }, dirs, suites);
    const include = plan.mmdebstrapArgs
      .find((a) => a.startsWith("--include="))
      ?.slice("--include=".length)
      .split(",");
    expect(include).toEqual([...new Set([...BASE_PACKAGES, "postfix"])].sort());
  });

  it("ships no key and no password: keys come per VM through fw_cfg, root logs in by key only", () => {
    const files = customizeFiles(recipe);
    const sshd = files.find((f) => f.path === "/etc/ssh/sshd_config.d/10-msf.conf")?.content;
    expect(sshd).toContain("PasswordAuthentication no");
    expect(sshd).toContain("PermitRootLogin prohibit-password");
    expect(files.map((f) => f.content).join("\n")).not.toMatch(/BEGIN OPENSSH PRIVATE KEY|ssh-ed25519 AAAA/);
    expect(planBootstrap(recipe, dirs, suites).mmdebstrapArgs).toContain('--customize-hook=rm -f "$1"/etc/ssh/ssh_host_*');
  });

  it("refuses build directories with white space, naming the fix", () => {
    expect(() => planBootstrap(recipe, { ...dirs, rootDir: "/my cache/root" }, suites)).toThrow(/rootDir must not contain white space/);
  });

  it("says clearly when a distribution cannot be bootstrapped", () => {
    expect(() => recipeFor({ ...debian12, id: "fedora-41", installer: "kickstart", bootstrap: undefined })).toThrow(
      /fedora-41 cannot be built from a package archive/,
    );
  });
});

describe("an update suite the mirror does not fully serve", () => {
  const debian11 = findDistribution("debian-11");
  if (!debian11) throw new Error("debian-11 missing");
  const bullseye = recipeFor(debian11);
  it("is named from apt's 404s under its own mirror, with the files", () => {
    const output = [
      "Get:124 http://deb.debian.org/debian-security bullseye-security/main amd64 postgresql-13 amd64 13.23-0+deb11u4 [15.2 MB]",
      "E: Failed to fetch http://deb.debian.org/debian-security/pool/updates/main/d/dovecot/dovecot-pgsql_2.3.13%2bdfsg1-2%2bdeb11u4_amd64.deb  404  Not Found [IP: 203.0.113.80 80]",
      "E: Failed to fetch http://deb.debian.org/debian-security/pool/updates/main/d/dovecot/dovecot-pop3d_2.3.13%2bdfsg1-2%2bdeb11u4_amd64.deb  404  Not Found [IP: 203.0.113.80 80]",
    ].join("\n");
    expect(unreachableUpdateSuites(bullseye, output)).toEqual({
      suites: ["bullseye-security"],
      files: ["dovecot-pgsql_2.3.13+dfsg1-2+deb11u4_amd64.deb", "dovecot-pop3d_2.3.13+dfsg1-2+deb11u4_amd64.deb"],
    });
  });

  it("is never the release suite or one on the release's mirror, and nothing without a 404", () => {
    const onMain = "E: Failed to fetch http://deb.debian.org/debian/pool/main/p/postfix/postfix_3.5.25-0+deb11u1_amd64.deb  404  Not Found";
    expect(unreachableUpdateSuites(bullseye, onMain).suites).toEqual([]);
    expect(unreachableUpdateSuites(bullseye, "E: Failed to fetch http://deb.debian.org/debian-security/pool/x.deb  Connection failed").suites).toEqual([]);
  });
});
