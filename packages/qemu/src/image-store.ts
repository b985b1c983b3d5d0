import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { InstalledPackageSchema } from "@msf/catalog";
import { MsfError, readJsonIfExists, sha256File, writeJsonAtomic } from "@msf/core";
import { z } from "zod";

const FileEntrySchema = z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), sizeBytes: z.number().int().nonnegative() });
export type ImageFileEntry = z.infer<typeof FileEntrySchema>;

/** What a golden image is and how to boot it; the bootstrap and installer paths both produce this. */
export const ImageManifestSchema = z.object({
  schemaVersion: z.literal(1),
  distro: z.string(),
  /** Cache key: changes whenever what went into the image changes. */
  key: z.string(),
  createdAt: z.string(),
  buildMs: z.number(),
  /** Plain data describing how it was made (suite, packages, recipe version...). */
  recipe: z.record(z.string(), z.unknown()),
  disk: FileEntrySchema.extend({ format: z.enum(["qcow2", "raw"]) }),
  /** For direct kernel boot; absent when the image boots through firmware. */
  kernel: FileEntrySchema.optional(),
  initrd: FileEntrySchema.optional(),
  /** Kernel command line the image needs (root device...), before console options. */
  append: z.string().default(""),
  sshUser: z.string().default("root"),
  /** Every package installed in the image, read from its package database at build time. */
  packages: z.array(InstalledPackageSchema).optional(),
  /** `uname -r` of the kernel it boots. */
  kernelRelease: z.string().optional(),
});
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

export interface StoredImage {
  dir: string;
  manifest: ImageManifest;
  disk: string;
  kernel?: string;
  initrd?: string;
}

export interface PublishInput {
  imagesDir: string;
  distro: string;
  key: string;
  files: { disk: string; kernel?: string; initrd?: string };
  manifest: Omit<ImageManifest, "schemaVersion" | "distro" | "key" | "createdAt" | "disk" | "kernel" | "initrd">;
}

export function imageDir(imagesDir: string, distro: string, key: string): string {
  return join(imagesDir, distro, key);
}

/**
 * Moves built files into the image cache with a manifest of their sha256. Staged under a temporary
 * name and renamed into place last, so a half-written image never looks complete.
 */
export async function publishImage(input: PublishInput): Promise<StoredImage> {
  const final = imageDir(input.imagesDir, input.distro, input.key);
  const stage = join(input.imagesDir, input.distro, `.stage-${input.key}-${randomBytes(4).toString("hex")}`);
  await mkdir(stage, { recursive: true });
  try {
    const entry = async (source: string, name: string): Promise<ImageFileEntry> => {
      const target = join(stage, name);
      await rename(source, target);
      return { file: name, sha256: await sha256File(target), sizeBytes: (await stat(target)).size };
    };
    const manifest: ImageManifest = ImageManifestSchema.parse({
      ...input.manifest,
      schemaVersion: 1,
      distro: input.distro,
      key: input.key,
      createdAt: new Date().toISOString(),
      disk: { ...(await entry(input.files.disk, "disk.qcow2")), format: "qcow2" },
      kernel: input.files.kernel ? await entry(input.files.kernel, "vmlinuz") : undefined,
      initrd: input.files.initrd ? await entry(input.files.initrd, "initrd.img") : undefined,
    });
    await writeJsonAtomic(join(stage, "manifest.json"), manifest);
    await rm(final, { recursive: true, force: true });
    await rename(stage, final);
    return located(final, manifest);
  } catch (error) {
    await rm(stage, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The cached image for a key, or undefined. With `verify`, every file is re-hashed against the
 * manifest; a mismatch is an ERR_MSF_IMAGE_CORRUPT error (nothing unverified is used).
 */
export async function findImage(imagesDir: string, distro: string, key: string, options: { verify?: boolean } = {}): Promise<StoredImage | undefined> {
  const dir = imageDir(imagesDir, distro, key);
  const raw = await readJsonIfExists(join(dir, "manifest.json"));
  if (raw === undefined) return undefined;
  const parsed = ImageManifestSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(dir, `manifest.json is not a valid image manifest (${parsed.error.issues[0]?.message})`);
  const image = located(dir, parsed.data);
  for (const entry of [parsed.data.disk, parsed.data.kernel, parsed.data.initrd]) {
    if (!entry) continue;
    const path = join(dir, entry.file);
    const size = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== entry.sizeBytes) throw corrupt(dir, `${entry.file} is ${size < 0 ? "missing" : `${size} bytes, expected ${entry.sizeBytes}`}`);
    if (options.verify) {
      const actual = await sha256File(path);
      if (actual !== entry.sha256) throw corrupt(dir, `${entry.file} has sha256 ${actual}, the manifest says ${entry.sha256}`);
    }
  }
  return image;
}

export async function removeImage(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Every complete image in the cache (manifests that parse), newest first. */
export async function listImages(imagesDir: string): Promise<StoredImage[]> {
  const found: StoredImage[] = [];
  for (const distro of await readdir(imagesDir).catch(() => [] as string[])) {
    for (const key of await readdir(join(imagesDir, distro)).catch(() => [] as string[])) {
      if (key.startsWith(".")) continue;
      const dir = join(imagesDir, distro, key);
      const parsed = ImageManifestSchema.safeParse(await readJsonIfExists(join(dir, "manifest.json")).catch(() => undefined));
      if (parsed.success) found.push(located(dir, parsed.data));
    }
  }
  return found.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
}

function located(dir: string, manifest: ImageManifest): StoredImage {
  return {
    dir,
    manifest,
    disk: join(dir, manifest.disk.file),
    kernel: manifest.kernel ? join(dir, manifest.kernel.file) : undefined,
    initrd: manifest.initrd ? join(dir, manifest.initrd.file) : undefined,
  };
}

function corrupt(dir: string, what: string): MsfError {
  return new MsfError("ERR_MSF_IMAGE_CORRUPT", `the cached image ${basename(dir)} is damaged: ${what}`, {
    hint: `remove ${dir} (msf rebuilds it on the next use)`,
    details: { dir },
  });
}
