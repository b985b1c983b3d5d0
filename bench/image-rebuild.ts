// Rebuilding an image after one package changed, against a cold build, on this host in this run.
// 1. cold: a fresh cache (no package cache, no kept tree) builds Debian 12 from the archive.
// 2. one package behind: a package of the kept build tree is put one version back (real apt), and
//    the image removed, so the next build finds the archive one package ahead of its tree.
// 3. update: that build (kept tree + warm package cache: apt upgrades the one package).
// 4. for comparison, a build from scratch with the warm package cache (what --refresh does).
// Goal: update at most 0.4x cold. Needs root and the Debian archive; about 7 minutes here.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { createContext } from "@msf/supervisor";
import { downgradeOnePackage } from "@msf/test-utils";
import { goldenImage } from "@msf/vm";
import { report } from "./stats.ts";

const DISTRO = process.env.DISTRO ?? "debian-12";
const distribution = findDistribution(DISTRO);
if (!distribution?.bootstrap) throw new Error(`${DISTRO} is not a bootstrap distribution`);
const home = mkdtempSync(join(tmpdir(), "msf-bench-rebuild-"));
const ctx = createContext({ env: { ...process.env, MSF_HOME: home } });

async function timedBuild(label: string, refresh = false) {
  const steps: Record<string, number> = {};
  const started = performance.now();
  const { image, built } = await goldenImage(ctx, distribution as NonNullable<typeof distribution>, {
    refresh,
    onEvent: (event) => {
      if (event.type === "build-step" && event.status === "done" && event.ms !== undefined) steps[event.step] = event.ms;
    },
  });
  const ms = performance.now() - started;
  if (!built) throw new Error(`${label}: the image was not built`);
  console.error(`${label}: ${(ms / 1000).toFixed(1)} s ${JSON.stringify(steps)}`);
  return { ms, steps, image };
}

try {
  const cold = await timedBuild("cold");
  const [tree] = readdirSync(join(ctx.paths.images, DISTRO)).filter((name) => name.startsWith(".tree-"));
  if (!tree) throw new Error("the cold build kept no tree");
  const changed = await downgradeOnePackage(join(ctx.paths.images, DISTRO, tree, "root"), ["tzdata", "openssl", "postfix", "libc6", "systemd"]);
  console.error(`one package behind: ${changed.name} ${changed.from} -> ${changed.to}`);
  rmSync(cold.image.dir, { recursive: true, force: true });
  const update = await timedBuild("update");
  if (update.image.manifest.recipe.updatedFrom !== cold.image.manifest.key) throw new Error("the rebuild did not update the kept tree");
  const warmFull = await timedBuild("from scratch, warm package cache", true);
  const ratio = update.ms / cold.ms;
  report("image-rebuild", {
    distro: DISTRO,
    changedPackage: changed,
    coldMs: Math.round(cold.ms),
    updateMs: Math.round(update.ms),
    fromScratchWarmCacheMs: Math.round(warmFull.ms),
    steps: { cold: cold.steps, update: update.steps, fromScratchWarmCache: warmFull.steps },
    ratio: Number(ratio.toFixed(3)),
    ratioFromScratchWarmCache: Number((warmFull.ms / cold.ms).toFixed(3)),
    goal: "update at most 0.4x cold",
    met: ratio <= 0.4,
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
