import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InstalledPackage } from "@msf/catalog";
import { publishImage } from "@msf/qemu";

/** What a stand-in install step leaves: a tiny Debian 12 image published under `key`, as the real step's output says it. */
export async function publishStandInImage(
  imagesDir: string,
  workDir: string,
  key: string,
  manifest: { suites: Array<{ suite: string; date: string; digest: string }>; packages: InstalledPackage[] },
) {
  const work = join(workDir, key);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "disk.qcow2"), key);
  const image = await publishImage({
    imagesDir,
    distro: "debian-12",
    key,
    files: { disk: join(work, "disk.qcow2") },
    manifest: { buildMs: 1, recipe: { suites: manifest.suites }, append: "", sshUser: "root", packages: manifest.packages },
  });
  return { imageDir: image.dir, key, built: true };
}
