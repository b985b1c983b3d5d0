import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { describe, expect, it } from "vitest";
import { mountsUnder, removeBuildDir } from "../src/bootstrap/build-dir.ts";

// A build killed with SIGKILL leaves mmdebstrap's mounts in its root; a real mount stands in for them.
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)("removing a build directory (needs root to mount; CI runs as root)", () => {
  it("unmounts what is mounted inside it before removing anything, and leaves the mounted filesystem untouched", async () => {
    const temp = makeTempDir();
    const outside = join(temp.path, "host-data");
    const build = join(temp.path, ".build-x");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "host file");
    mkdirSync(join(build, "root/sys"), { recursive: true });
    execFileSync("mount", ["--bind", outside, join(build, "root/sys")]);
    try {
      expect(await mountsUnder(build)).toEqual([join(build, "root/sys")]);
      await removeBuildDir(build, createSupervisor());
      expect(existsSync(build)).toBe(false);
      expect(existsSync(join(outside, "keep.txt"))).toBe(true); // rm never recursed through the mount
      expect(await mountsUnder(temp.path)).toEqual([]);
    } finally {
      if ((await mountsUnder(build)).length) execFileSync("umount", ["--lazy", join(build, "root/sys")]);
      temp.remove();
    }
  });
});
