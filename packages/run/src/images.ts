import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution, type StackVersion, stackVersions } from "@msf/catalog";
import { imagesToRemove, listImages, readPin, removeImage } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { removeSnapshotsOf, vmList } from "@msf/vm";
import { readRuns } from "./history.ts";

export interface ImageRow {
  distro: string;
  key: string;
  builtAt: string;
  sizeBytes: number;
  dir: string;
  /** The stack's versions in the image (from its build), when it recorded its packages. */
  stack: StackVersion[];
  /** The distribution's last known good image (the newest passing run's). */
  pinned: boolean;
  /** The newest run that used it. */
  lastRun?: string;
  /** VMs booted from it, and unfinished runs that use it: gc leaves it alone. */
  usedBy: string[];
  /** The recipe it was built from, apart from the archive's state (its kept build tree's name). */
  identity?: string;
}

/** How many runs are read to say which used an image. */
const HISTORY_RUNS = 200;

/** Every complete golden image (of these distributions, when given), newest first, with what it holds and who uses it. */
export async function imagesList(ctx: MsfContext, distros: readonly string[] = []): Promise<ImageRow[]> {
  const images = (await listImages(ctx.paths.images)).filter((i) => distros.length === 0 || distros.includes(i.manifest.distro));
  const pins = new Map<string, string | undefined>();
  for (const distro of new Set(images.map((i) => i.manifest.distro))) pins.set(distro, (await readPin(ctx.paths.images, distro))?.key);
  const usedBy = new Map<string, string[]>();
  const use = (key: string, by: string) => usedBy.set(key, [...(usedBy.get(key) ?? []), by]);
  for (const vm of await vmList(ctx.paths.vms)) if (vm.running) use(vm.image.key, `vm ${vm.name}`);
  const lastRun = new Map<string, string>();
  for (const run of await readRuns(ctx, HISTORY_RUNS)) {
    const keys = new Set(
      Object.entries(run.status.tasks)
        .filter(([id]) => id.endsWith(":install"))
        .map(([, task]) => task.outputs?.key)
        .filter((key): key is string => typeof key === "string"),
    );
    for (const key of keys) {
      if (!lastRun.has(key)) lastRun.set(key, run.summary.runId);
      // An unfinished run may be resumed: the images it booted stay.
      if (!["passed", "failed"].includes(run.status.status)) use(key, `run ${run.summary.runId}`);
    }
  }
  return images.map(({ manifest, dir }) => {
    const family = findDistribution(manifest.distro)?.packageFamily ?? "apt";
    return {
      distro: manifest.distro,
      key: manifest.key,
      builtAt: manifest.createdAt,
      sizeBytes: manifest.disk.sizeBytes,
      dir,
      stack: manifest.packages ? stackVersions(manifest.packages, family) : [],
      pinned: pins.get(manifest.distro) === manifest.key,
      lastRun: lastRun.get(manifest.key),
      usedBy: usedBy.get(manifest.key) ?? [],
      identity: typeof manifest.recipe.identity === "string" ? manifest.recipe.identity : undefined,
    };
  });
}

/**
 * Removes all but the newest `keep` images per distribution. A pinned image, or one a running VM or
 * an unfinished run uses, is never removed (and does not count towards `keep`). A kept build tree
 * (what the next build of its recipe updates) goes when no image of its recipe is left, a ready
 * snapshot when its image is gone.
 */
export async function imagesGc(
  ctx: MsfContext,
  options: { keep: number; distros?: readonly string[]; dryRun?: boolean },
): Promise<{ removed: ImageRow[]; kept: ImageRow[]; removedTrees: string[]; removedSnapshots: string[] }> {
  const rows = (await imagesList(ctx, options.distros)).map((row) => ({ ...row, createdAt: row.builtAt }));
  const removed = imagesToRemove(rows, options.keep, (row) => row.pinned || row.usedBy.length > 0);
  const gone = new Set(removed.map((r) => r.dir));
  const kept = rows.filter((r) => !gone.has(r.dir));
  const removedTrees = await unusedTrees(ctx, new Set(rows.map((r) => r.distro)), new Set(kept.map((r) => r.identity)));
  if (options.dryRun) return { removed, kept, removedTrees, removedSnapshots: [] };
  for (const row of removed) await removeImage(row.dir);
  for (const tree of removedTrees) await rm(tree, { recursive: true, force: true });
  // A ready snapshot is a layer over its golden image: it goes with it (of any distribution).
  const images = new Set((await listImages(ctx.paths.images)).map((image) => image.manifest.key));
  return { removed, kept, removedTrees, removedSnapshots: await removeSnapshotsOf(ctx.paths.cache, images) };
}

/** The kept build trees of these distributions whose recipe no remaining image was built from. */
async function unusedTrees(ctx: MsfContext, distros: Set<string>, identities: Set<string | undefined>): Promise<string[]> {
  const trees: string[] = [];
  for (const distro of distros) {
    const names = await readdir(join(ctx.paths.images, distro)).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith(".tree-") && !identities.has(name.slice(".tree-".length))) trees.push(join(ctx.paths.images, distro, name));
  }
  return trees;
}
