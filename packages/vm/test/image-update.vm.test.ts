import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { treeIdentity } from "@msf/preseed";
import { findImage } from "@msf/qemu";
import { createContext } from "@msf/supervisor";
import { debian12Key, downgradeOnePackage, qemuProcessesUnder, vmTestHome } from "@msf/test-utils";
import { goldenImage, type ImageEvent, imageRecipeFor, vmDown, vmExec, vmUp } from "@msf/vm";
import { afterAll, describe, expect, inject, it } from "vitest";

// When the archive moves on, the next build updates the last build's tree with apt instead of
// bootstrapping again. Here, in a cache of its own, a copy of the global setup's kept tree has one
// package put one version back: the archive is one package ahead of the tree, as after an update.
const home = vmTestHome();
const cache = join(home.home, "cache");
const ctx = createContext({ env: { ...home.env, MSF_CACHE: cache } });
const debian12 = findDistribution("debian-12");

afterAll(() => home.remove());

describe("an image rebuilt from the kept tree", () => {
  it("brings the one changed package up to the archive's version, keeps the key, and boots", async () => {
    if (!debian12) throw new Error("debian-12 is missing from the catalog");
    const shared = join(inject("msfHome"), "cache", "images", "debian-12");
    // The tree of the recipe the global setup built (run.vm's compare test keeps one of another
    // recipe beside it, which its images gc test then removes).
    const tree = `.tree-${treeIdentity(imageRecipeFor(debian12))}`;
    if (!existsSync(join(shared, tree))) throw new Error(`the global setup's build kept no tree in ${shared}`);
    mkdirSync(join(cache, "images", "debian-12"), { recursive: true });
    execFileSync("cp", ["-a", "--reflink=auto", join(shared, tree), join(cache, "images", "debian-12", tree)], { timeout: 120_000 });
    const changed = await downgradeOnePackage(join(cache, "images", "debian-12", tree, "root"), ["tzdata", "openssl", "postfix", "libc6"]);

    const events: ImageEvent[] = [];
    const { image, built } = await goldenImage(ctx, debian12, { onEvent: (event) => events.push(event) });
    expect(built).toBe(true);
    expect(image.manifest.key).toBe(debian12Key()); // the same archive state: the same image
    expect(image.manifest.recipe.updatedFrom).toBe(debian12Key());
    const steps = events.flatMap((e) => (e.type === "build-step" && e.status === "done" ? [e.step] : []));
    expect(steps).toContain("update");
    expect(steps).not.toContain("mmdebstrap");
    const original = await findImage(join(inject("msfHome"), "cache", "images"), "debian-12", debian12Key());
    expect(image.manifest.packages).toEqual(original?.manifest.packages);
    expect(image.manifest.packages?.find((p) => p.name === changed.name)?.version).toBe(changed.from);

    const vm = await vmUp(ctx, { distro: "debian-12", name: "updated", image, lifetimeMs: 20 * 60_000 });
    try {
      const { stdout } = await vmExec(ctx, { name: "updated", command: `dpkg-query -W -f '\${Version}' ${changed.name}` });
      expect(stdout).toBe(changed.from);
      expect(vm.phases.system?.detail).toBe("running");
    } finally {
      await vmDown(ctx, { name: "updated", graceMs: 10_000 });
    }
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 900_000);
});
