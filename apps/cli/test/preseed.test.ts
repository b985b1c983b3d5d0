import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "@msf/ssh";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());
function home() {
  temp = makeTempDir();
  return { ...process.env, MSF_HOME: temp.path };
}

describe("msf preseed", () => {
  it("render prints one distribution's config, and writes every one with --all --out (the layout of preseeds/)", async () => {
    const env = home();
    const one = await runMsfInProcess(["preseed", "render", "fedora-41"], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^### fedora-41\/ks\.cfg\n# msf: kickstart/);
    const out = join(temp?.path as string, "out");
    const all = await runMsfInProcess(["preseed", "render", "--all", "--out", out, "--json"], env);
    expect(all.code).toBe(0);
    const repo = join(import.meta.dirname, "../../../preseeds");
    for (const dir of readdirSync(repo)) {
      for (const file of readdirSync(join(repo, dir))) expect(readFileSync(join(out, dir, file), "utf8")).toBe(readFileSync(join(repo, dir, file), "utf8"));
    }
  });

  it("render --key puts that key in the config", async () => {
    const env = home();
    const key = generateKeyPair("operator@host").publicKey;
    writeFileSync(join(temp?.path as string, "id.pub"), `${key}\n`);
    const run = await runMsfInProcess(["preseed", "render", "ubuntu-24.04", "--key", join(temp?.path as string, "id.pub"), "--json"], env);
    const files = run.last?.files as Array<{ path: string; text: string }>;
    expect(files.find((f) => f.path === "ubuntu-24.04/user-data")?.text).toContain(key);
  });

  it("bad input: an unknown distribution, a bootstrap-only one, a file that is no public key", async () => {
    const env = home();
    const unknown = await runMsfInProcess(["preseed", "render", "debian-99", "--json"], env);
    expect(unknown.code).toBe(4);
    expect(unknown.last).toMatchObject({ code: "ERR_MSF_NOT_FOUND", message: "no distribution debian-99 in the catalog" });
    writeFileSync(join(temp?.path as string, "bad.pub"), "hello\n");
    const badKey = await runMsfInProcess(["preseed", "render", "debian-12", "--key", join(temp?.path as string, "bad.pub"), "--json"], env);
    expect(badKey.code).toBe(3);
    expect(String(badKey.last?.message)).toMatch(/bad\.pub: an OpenSSH public key line: expected `<type> <base64> \[comment\]`/);
    // A key line whose comment would run in the installer's shell is refused, naming what is wrong.
    writeFileSync(join(temp?.path as string, "evil.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLACEHOLDERPLACEHOLDERPLACEHOLDERPLACEHOLDE $(reboot)\n");
    const evil = await runMsfInProcess(["preseed", "render", "debian-12", "--key", join(temp?.path as string, "evil.pub"), "--json"], env);
    expect(evil.code).toBe(3);
    expect(String(evil.last?.message)).toMatch(/evil\.pub: an OpenSSH public key line/);
    const install = await runMsfInProcess(["install", "debian-12", "--from", "floppy", "--json"], env);
    expect(install.code).toBe(2);
    expect(String(install.last?.message)).toContain("--from: expected iso or netboot");
  });

  it("validate passes preseeds/ and fails (exit 3) on a broken file, naming the validator and the problem", async () => {
    const env = home();
    const repo = join(import.meta.dirname, "../../../preseeds");
    const good = await runMsfInProcess(["preseed", "validate", repo, "--json"], env);
    expect(good.code).toBe(0);
    expect(good.last).toMatchObject({ ok: true });
    const broken = join(temp?.path as string, "broken.preseed");
    writeFileSync(broken, `${readFileSync(join(repo, "debian-12/preseed.cfg"), "utf8")}not an answer\n`);
    const bad = await runMsfInProcess(["preseed", "validate", broken], env);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/broken\.preseed\s+debconf-set-selections\s+fail: warning: Unknown type answer, skipping line \d+/);
  });
});
