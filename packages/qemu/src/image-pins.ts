import { join } from "node:path";
import { InstalledPackageSchema } from "@msf/catalog";
import { readJsonIfExists, writeJsonAtomic } from "@msf/core";
import { z } from "zod";

/**
 * The last known good image of a distribution: the image of its newest passing run, with the
 * versions that run tested. `images gc` never removes it; `--image last-good` boots it.
 */
export const PinSchema = z.object({
  distro: z.string(),
  key: z.string(),
  runId: z.string(),
  pinnedAt: z.string(),
  packages: z.array(InstalledPackageSchema).default([]),
});
export type Pin = z.infer<typeof PinSchema>;

const pinPath = (imagesDir: string, distro: string) => join(imagesDir, distro, "last-good.json");

export async function readPin(imagesDir: string, distro: string): Promise<Pin | undefined> {
  const parsed = PinSchema.safeParse(await readJsonIfExists(pinPath(imagesDir, distro)).catch(() => undefined));
  return parsed.success ? parsed.data : undefined;
}

export async function writePin(imagesDir: string, pin: Omit<Pin, "pinnedAt">): Promise<Pin> {
  const full = PinSchema.parse({ ...pin, pinnedAt: new Date().toISOString() });
  await writeJsonAtomic(pinPath(imagesDir, pin.distro), full);
  return full;
}

export interface ImageRef {
  distro: string;
  key: string;
  createdAt: string;
}

/**
 * Pure: the images `gc --keep N` removes: per distribution all but the N newest, never one that is
 * protected (pinned, or used by a VM or a run). Protected images do not count towards N.
 */
export function imagesToRemove<T extends ImageRef>(images: readonly T[], keep: number, isProtected: (image: T) => boolean): T[] {
  const remove: T[] = [];
  for (const distro of new Set(images.map((i) => i.distro))) {
    const candidates = images.filter((i) => i.distro === distro && !isProtected(i)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    remove.push(...candidates.slice(keep));
  }
  return remove;
}
