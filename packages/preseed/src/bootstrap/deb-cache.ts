import { copyFile, link, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { InstalledPackage } from "@msf/catalog";
import { readJsonIfExists, sha256File, tempSibling, writeJsonAtomic } from "@msf/core";
import { acquireLock } from "@msf/supervisor";
import { z } from "zod";

/**
 * The host's package cache for image builds: each .deb a build downloaded (apt verified it against
 * the signed Packages index on the way in) is kept with its sha256, and handed to later builds of
 * the distribution after that sha256 is checked again. apt trusts a file already in its archive
 * directory, so nothing unverified may reach one.
 */
const IndexSchema = z.record(z.string(), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }));
type Index = z.infer<typeof IndexSchema>;

const INDEX = "index.json";

/** Pure: the name apt gives a package's file in /var/cache/apt/archives (an epoch's colon is %3a). */
export function debFileName(pkg: InstalledPackage): string {
  return `${pkg.name}_${pkg.version.replace(/:/g, "%3a")}_${pkg.architecture}.deb`;
}

async function withCache<T>(cacheDir: string, work: (index: Index) => Promise<T>): Promise<T> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(join(cacheDir, ".lock"), { timeoutMs: 10 * 60_000 });
  try {
    const parsed = IndexSchema.safeParse(await readJsonIfExists(join(cacheDir, INDEX)).catch(() => undefined));
    return await work(parsed.success ? parsed.data : {});
  } finally {
    await lock.release();
  }
}

/**
 * Links (or copies) every cached .deb whose sha256 still matches into `target`, for the build's
 * sync-in; a file that changed is dropped from the cache. Returns how many files and bytes it gave.
 */
export async function stageDebCache(cacheDir: string, target: string): Promise<{ files: number; bytes: number; dropped: string[] }> {
  await mkdir(target, { recursive: true });
  return withCache(cacheDir, async (index) => {
    let bytes = 0;
    const dropped: string[] = [];
    for (const [file, entry] of Object.entries(index)) {
      const path = join(cacheDir, file);
      const ok =
        (await stat(path).then(
          (s) => s.isFile() && s.size === entry.size,
          () => false,
        )) && (await sha256File(path)) === entry.sha256;
      if (!ok) {
        dropped.push(file);
        delete index[file];
        await rm(path, { force: true });
        continue;
      }
      await link(path, join(target, file)).catch(() => copyFile(path, join(target, file)));
      bytes += entry.size;
    }
    if (dropped.length) await writeJsonAtomic(join(cacheDir, INDEX), index, 0o600);
    return { files: Object.keys(index).length, bytes, dropped };
  });
}

/**
 * After a build: the .debs of what it installed (from its sync-out) join the cache, and a cached
 * version of a package the build installed in another version is dropped (the cache holds what the
 * next build most likely needs, not every version ever seen).
 */
export async function keepDebs(cacheDir: string, fromDir: string, installed: readonly InstalledPackage[]): Promise<{ added: number; removed: number }> {
  const wanted = new Set(installed.map(debFileName));
  const names = new Set(installed.map((p) => p.name));
  const present = new Set(await readdir(fromDir).catch(() => [] as string[]));
  return withCache(cacheDir, async (index) => {
    let added = 0;
    let removed = 0;
    for (const file of wanted) {
      if (index[file] || !present.has(file)) continue;
      const target = join(cacheDir, file);
      const temp = tempSibling(target);
      await rename(join(fromDir, file), temp).catch(() => copyFile(join(fromDir, file), temp));
      index[file] = { sha256: await sha256File(temp), size: (await stat(temp)).size };
      await rename(temp, target);
      added++;
    }
    for (const file of Object.keys(index)) {
      if (wanted.has(file) || !names.has(file.slice(0, file.indexOf("_")))) continue;
      delete index[file];
      await rm(join(cacheDir, file), { force: true });
      removed++;
    }
    await writeJsonAtomic(join(cacheDir, INDEX), index, 0o600);
    return { added, removed };
  });
}
