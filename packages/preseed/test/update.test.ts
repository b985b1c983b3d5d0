import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { keepTree, planBootstrap, planUpdate, recipeFor, takeTree, treeIdentity } from "@msf/preseed";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

const debian12 = findDistribution("debian-12");
if (!debian12) throw new Error("debian-12 missing");
const recipe = recipeFor(debian12);
const suites = ["bookworm", "bookworm-updates", "bookworm-security"].map((suite, i) => ({ suite, digest: `${i}`.repeat(16) }));
const dirs = { setupDir: "/b/setup", customizeDir: "/b/customize", rootDir: "/b/root", debsIn: "/b/in", debsOut: "/b/out" };

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

describe("updating the last build's tree", () => {
  it("is allowed between builds of one recipe, whatever the archive's state, never across recipes", () => {
    const identity = treeIdentity(recipe);
    expect(treeIdentity({ ...recipe, mirror: "http://mirror.example/debian" })).toBe(identity);
    expect(treeIdentity({ ...recipe, packages: ["postfix"] })).not.toBe(identity);
    // Built from the release alone: another tree (an update can only move forward).
    expect(treeIdentity({ ...recipe, updates: [] })).not.toBe(identity);
    expect(identity).not.toBe(planBootstrap(recipe, dirs, suites).key);
  });

  it("runs apt in its own mount namespace with the recipe's sources, then the customize steps again", () => {
    const plan = planBootstrap({ ...recipe, mirror: "http://mirror.example/debian" }, dirs, suites);
    const argv = planUpdate({ ...recipe, mirror: "http://mirror.example/debian" }, dirs, plan.customizeCommands);
    expect(argv.slice(0, 6)).toEqual(["--mount", "--propagation", "private", "--", "sh", "-euc"]);
    expect(argv.slice(7, 13)).toEqual([
      "msf-update",
      "/b/root",
      "/b/in",
      "/b/out",
      "/b/customize",
      "true", // Valid-Until is checked
    ]);
    expect(argv[13]?.split("\n")).toEqual([
      "deb http://mirror.example/debian bookworm main",
      "deb http://deb.debian.org/debian bookworm-updates main",
      "deb http://deb.debian.org/debian-security bookworm-security main",
    ]);
    expect(argv.slice(14)).toEqual(plan.customizeCommands);
    expect(plan.customizeCommands.at(-1)).toBe('rm -f "$1"/etc/ssh/ssh_host_*');
    const script = argv[6] as string;
    expect(script).toContain("dist-upgrade");
    expect(script).toContain("--force-confold");
    expect(script).toContain("dpkg-query -W -f '${db:Status-Abbrev} ${Package}\\n'");
    expect(planUpdate({ ...recipe, acceptExpired: true }, dirs, [])[12]).toBe("false");
  });

  it("hands the kept tree to one build only, and only to a build of the same recipe", async () => {
    temp = makeTempDir();
    const distroDir = join(temp.path, "debian-12");
    const work = (name: string) => {
      mkdirSync(join(distroDir, name, "root/etc"), { recursive: true });
      return join(distroDir, name);
    };
    const first = work(".build-a");
    writeFileSync(join(first, "root/etc/marker"), "built for aaaa");
    await keepTree(distroDir, "identity-1", "aaaa", first, join(first, "root"));
    expect(existsSync(join(distroDir, ".tree-identity-1/root/etc/marker"))).toBe(true);

    // Another recipe finds none, and leaves this one alone.
    const other = work(".build-b");
    expect(await takeTree(distroDir, "identity-2", other, join(other, "elsewhere"))).toBeUndefined();
    expect(existsSync(join(distroDir, ".tree-identity-1/root/etc/marker"))).toBe(true);

    const taker = work(".build-c");
    expect(await takeTree(distroDir, "identity-1", taker, join(taker, "base"))).toBe("aaaa");
    expect(readFileSync(join(taker, "base/etc/marker"), "utf8")).toBe("built for aaaa");
    expect(existsSync(join(distroDir, ".tree-identity-1"))).toBe(false); // taken: a second build starts from scratch
    const second = work(".build-d");
    expect(await takeTree(distroDir, "identity-1", second, join(second, "base"))).toBeUndefined();
    writeFileSync(join(taker, "base/etc/marker"), "updated for bbbb");
    await keepTree(distroDir, "identity-1", "bbbb", taker, join(taker, "base"));
    expect(readFileSync(join(distroDir, ".tree-identity-1/root/etc/marker"), "utf8")).toBe("updated for bbbb");
    expect(JSON.parse(readFileSync(join(distroDir, ".tree-identity-1/tree.json"), "utf8"))).toEqual({ identity: "identity-1", key: "bbbb" });
    // A build that finishes later keeps nothing over the tree already kept.
    await keepTree(distroDir, "identity-1", "cccc", second, join(second, "root"));
    expect(JSON.parse(readFileSync(join(distroDir, ".tree-identity-1/tree.json"), "utf8")).key).toBe("bbbb");
  });
});
