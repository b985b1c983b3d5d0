import { execFileSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { extractBootFiles, takeFromDeb, takeFromTar } from "@msf/iso";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { create } from "tar";
import { afterAll, describe, expect, it } from "vitest";

// Archives made here with the real tools (dpkg-deb, xorriso, tar), holding what a hostile mirror could put in them.
const temp = makeTempDir();
afterAll(() => temp.remove());
const supervisor = createSupervisor();
const HOST_FILE = "/etc/hostname";
const INSIDE = "usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64";

/** A .deb whose kernel is what `kernel` makes of it (a file, a symlink, a hard link). */
function buildDeb(name: string, kernel: (path: string, initrd: string) => void): string {
  const root = join(temp.path, name);
  mkdirSync(join(root, "DEBIAN"), { recursive: true });
  mkdirSync(join(root, INSIDE), { recursive: true });
  writeFileSync(join(root, "DEBIAN", "control"), `Package: ${name}\nVersion: 1\nArchitecture: all\nMaintainer: msf <t@msf.test>\nDescription: test\n`);
  writeFileSync(join(root, INSIDE, "initrd.gz"), "initrd bytes");
  kernel(join(root, INSIDE, "linux"), join(root, INSIDE, "initrd.gz"));
  execFileSync("dpkg-deb", ["--root-owner-group", "--build", root, `${root}.deb`], { stdio: "ignore", timeout: 60_000 });
  return `${root}.deb`;
}

const wanted = (out: string) => ({ [`${INSIDE}/linux`]: join(out, "vmlinuz"), [`${INSIDE}/initrd.gz`]: join(out, "initrd.gz") });

describe("taking files out of a .deb", () => {
  it("takes regular files", async () => {
    const deb = buildDeb("good", (path) => writeFileSync(path, "kernel bytes"));
    const out = join(temp.path, "good-out");
    mkdirSync(out);
    await takeFromDeb(supervisor, deb, wanted(out), "good.deb");
    expect(readFileSync(join(out, "vmlinuz"), "utf8")).toBe("kernel bytes");
  });

  it("refuses a wanted file that is a symlink to a host file, and writes nothing", async () => {
    const deb = buildDeb("symlink", (path) => symlinkSync(HOST_FILE, path));
    const out = join(temp.path, "symlink-out");
    mkdirSync(out);
    await expect(takeFromDeb(supervisor, deb, wanted(out), "symlink.deb")).rejects.toMatchObject({
      code: "ERR_MSF_UNSAFE_ARCHIVE",
      message: expect.stringMatching(/linux is a SymbolicLink, not a regular file/),
    });
    expect(existsSync(join(out, "vmlinuz"))).toBe(false);
    expect(existsSync(join(out, "initrd.gz"))).toBe(false);
  });

  it("refuses a wanted file that is a hard link", async () => {
    const deb = buildDeb("hardlink", (path, initrd) => linkSync(initrd, path));
    const out = join(temp.path, "hardlink-out");
    mkdirSync(out);
    await expect(takeFromDeb(supervisor, deb, wanted(out), "hardlink.deb")).rejects.toMatchObject({ code: "ERR_MSF_UNSAFE_ARCHIVE" });
  });
});

describe("taking files out of a tar", () => {
  it("refuses the whole archive when any member has an absolute path or ..", async () => {
    const dir = join(temp.path, "tar-src", "sub");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "linux"), "kernel");
    writeFileSync(join(temp.path, "tar-src", "outside"), "x");
    const absolute = join(temp.path, "absolute.tar");
    await create({ file: absolute, cwd: dir, preservePaths: true }, ["linux", join(temp.path, "tar-src", "outside")]);
    const dotdot = join(temp.path, "dotdot.tar");
    await create({ file: dotdot, cwd: dir, preservePaths: true }, ["linux", "../outside"]);
    const out = join(temp.path, "tar-out");
    mkdirSync(out);
    await expect(takeFromTar(absolute, { linux: join(out, "linux") }, { what: "absolute.tar" })).rejects.toMatchObject({
      message: expect.stringMatching(/an absolute path/),
    });
    await expect(takeFromTar(dotdot, { linux: join(out, "linux") }, { what: "dotdot.tar" })).rejects.toMatchObject({
      message: expect.stringMatching(/a path with \.\./),
    });
    expect(existsSync(join(out, "linux"))).toBe(false);
  });
});

describe("extracting boot files from an ISO", () => {
  it("refuses a kernel that is a Rock Ridge symlink to a host file", async () => {
    const tree = join(temp.path, "iso-tree");
    mkdirSync(tree);
    symlinkSync(HOST_FILE, join(tree, "vmlinuz"));
    writeFileSync(join(tree, "initrd"), "initrd");
    const iso = join(temp.path, "symlink.iso");
    execFileSync("xorriso", ["-as", "mkisofs", "-R", "-quiet", "-o", iso, tree], { stdio: "ignore", timeout: 60_000 });
    const out = join(temp.path, "iso-out");
    await expect(extractBootFiles(supervisor, iso, { kernel: "/vmlinuz", initrd: "/initrd" }, out)).rejects.toMatchObject({
      code: "ERR_MSF_UNSAFE_ARCHIVE",
      message: expect.stringMatching(/vmlinuz is not a regular file/),
    });
    expect(existsSync(join(out, "vmlinuz"))).toBe(false);
  });
});
