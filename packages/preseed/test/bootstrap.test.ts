import { findDistribution } from "@msf/catalog";
import { BASE_PACKAGES, bootstrapKey, customizeFiles, planBootstrap, recipeFor } from "@msf/preseed";
import { describe, expect, it } from "vitest";

const debian12 = findDistribution("debian-12");
if (!debian12) throw new Error("debian-12 missing");
const recipe = recipeFor(debian12);
const dirs = { setupDir: "/build/setup", customizeDir: "/build/customize", rootDir: "/build/root" };

describe("bootstrap recipe", () => {
  it("plans the mmdebstrap build (golden)", async () => {
    const plan = planBootstrap(recipe, dirs);
    await expect(`${JSON.stringify({ key: plan.key, mmdebstrapArgs: plan.mmdebstrapArgs, append: plan.append }, null, 2)}\n`).toMatchFileSnapshot(
      "golden/debian-12-plan.json",
    );
    const files = [...plan.setupFiles, ...plan.customizeFiles].map((f) => `### ${f.path} (${f.mode.toString(8)})\n${f.content}`).join("\n");
    await expect(files).toMatchFileSnapshot("golden/debian-12-files.txt");
  });

  it("keys the cache on what goes into the image, not on the mirror or the build directory", () => {
    const key = bootstrapKey(recipe);
    expect(bootstrapKey({ ...recipe, mirror: "http://mirror.example/debian" })).toBe(key);
    expect(planBootstrap(recipe, { ...dirs, rootDir: "/elsewhere" }).key).toBe(key);
    expect(bootstrapKey({ ...recipe, packages: ["postfix"] })).not.toBe(key);
    expect(bootstrapKey({ ...recipe, suite: "trixie" })).not.toBe(key);
    expect(bootstrapKey({ ...recipe, packages: ["postfix", "dovecot-core"] })).toBe(bootstrapKey({ ...recipe, packages: ["dovecot-core", "postfix"] }));
  });

  it("installs the base packages plus the recipe's, once each", () => {
    const plan = planBootstrap({ ...recipe, packages: ["postfix", "openssh-server"] }, dirs);
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
    expect(planBootstrap(recipe, dirs).mmdebstrapArgs).toContain('--customize-hook=rm -f "$1"/etc/ssh/ssh_host_*');
  });

  it("refuses build directories with white space, naming the fix", () => {
    expect(() => planBootstrap(recipe, { ...dirs, rootDir: "/my cache/root" })).toThrow(/rootDir must not contain white space/);
  });

  it("says clearly when a distribution cannot be bootstrapped", () => {
    expect(() => recipeFor({ ...debian12, id: "fedora-41", installer: "kickstart", bootstrap: undefined })).toThrow(
      /fedora-41 cannot be built from a package archive/,
    );
  });
});
