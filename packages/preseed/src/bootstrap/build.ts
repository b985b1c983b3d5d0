import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type InstalledPackage, PACKAGE_QUERY, parsePackageList } from "@msf/catalog";
import { isMsfError, MsfError } from "@msf/core";
import { diskTools, findImage, imageDir, publishImage, removeImage, type StoredImage } from "@msf/qemu";
import { acquireLock, type Supervisor } from "@msf/supervisor";
import { removeBuildDir } from "./build-dir.ts";
import { keepDebs, stageDebCache } from "./deb-cache.ts";
import type { GuestFile } from "./guest-files.ts";
import { type BootstrapPlan, bootstrapKey, MMDEBSTRAP, planBootstrap, type SuiteDigest } from "./plan.ts";
import type { BootstrapRecipe } from "./recipe.ts";
import { keepTree, planUpdate, takeTree, treeIdentity, type UpdateDirs } from "./update.ts";

export type BuildStep = "package-cache" | "update" | "mmdebstrap" | "packages" | "filesystem" | "qcow2" | "publish";

export type BuildEvent =
  | { type: "image-cached"; distro: string; key: string; dir: string }
  | { type: "image-corrupt"; distro: string; key: string; reason: string }
  | { type: "package-cache"; files: number; bytes: number; dropped: string[] }
  | { type: "build-step"; step: BuildStep; status: "started" | "done"; ms?: number }
  /** The last build's tree could not be updated to the archive's state: built from scratch instead. */
  | { type: "update-failed"; from: string; reason: string }
  | { type: "build-output"; step: BuildStep; line: string };

/** A suite's state as the manifest records it (plain data from the signed Release). */
export interface SuiteRecord extends SuiteDigest {
  mirror: string;
  date: string;
}

export interface EnsureImageOptions {
  recipe: BootstrapRecipe;
  /** The state of each of the recipe's suites, in order (part of the key). */
  suites: readonly SuiteRecord[];
  imagesDir: string;
  /** The host's .deb cache for this distribution; without it every build downloads everything. */
  debCache?: string;
  /** Build again from scratch, even when the key's image is cached (it is replaced). */
  rebuild?: boolean;
  supervisor: Supervisor;
  onEvent?: (event: BuildEvent) => void;
  /** Multiplies the build timeouts (slow hosts). */
  timeoutScale?: number;
}

/**
 * The golden image for a recipe: verified from the cache, or built from the Debian archive
 * (mmdebstrap -> ext4 with mke2fs -d, no mounting -> compressed qcow2) and published atomically.
 * A lock per key keeps two msf processes from building the same image at once.
 */
export async function ensureBootstrapImage(options: EnsureImageOptions): Promise<{ image: StoredImage; built: boolean }> {
  const { recipe, imagesDir } = options;
  const key = bootstrapKey(recipe, options.suites);
  const cached = options.rebuild ? undefined : await findVerified(options, key);
  if (cached) return { image: cached, built: false };
  await mkdir(join(imagesDir, recipe.distro), { recursive: true });
  const lock = await acquireLock(join(imagesDir, recipe.distro, `.${key}.lock`), { timeoutMs: 60 * 60_000 });
  try {
    const builtMeanwhile = options.rebuild ? undefined : await findVerified(options, key);
    if (builtMeanwhile) return { image: builtMeanwhile, built: false };
    return { image: await build(options, key), built: true };
  } finally {
    await lock.release();
  }
}

async function findVerified(options: EnsureImageOptions, key: string): Promise<StoredImage | undefined> {
  const { recipe, imagesDir, onEvent } = options;
  try {
    const image = await findImage(imagesDir, recipe.distro, key, { verify: true });
    if (image) onEvent?.({ type: "image-cached", distro: recipe.distro, key, dir: image.dir });
    return image;
  } catch (error) {
    if (!isMsfError(error) || error.code !== "ERR_MSF_IMAGE_CORRUPT") throw error;
    onEvent?.({ type: "image-corrupt", distro: recipe.distro, key, reason: error.message });
    await removeImage(imageDir(imagesDir, recipe.distro, key));
    return undefined;
  }
}

async function build(options: EnsureImageOptions, key: string): Promise<StoredImage> {
  const { recipe, imagesDir, supervisor } = options;
  if (process.getuid?.() !== 0) {
    throw new MsfError("ERR_MSF_IMAGE_BUILD", "building a Debian image needs root (mmdebstrap in root mode, so file ownership in the image is right)", {
      hint: "run msf as root, or copy a built image into the cache",
    });
  }
  const scale = options.timeoutScale ?? 1;
  const distroDir = join(imagesDir, recipe.distro);
  await removeStaleBuilds(distroDir, key, supervisor); // we hold the key's lock: any build dir of this key is dead
  const work = join(distroDir, `.build-${key}-${randomBytes(4).toString("hex")}`);
  const dirs = {
    setupDir: join(work, "setup"),
    customizeDir: join(work, "customize"),
    rootDir: join(work, "root"),
    debsIn: join(work, "debs-in"),
    debsOut: join(work, "debs-out"),
  };
  const plan = planBootstrap(recipe, dirs, options.suites);
  const started = Date.now();
  const step = async <T>(name: BuildStep, work: () => Promise<T>): Promise<T> => {
    options.onEvent?.({ type: "build-step", step: name, status: "started" });
    const t0 = Date.now();
    const value = await work();
    options.onEvent?.({ type: "build-step", step: name, status: "done", ms: Date.now() - t0 });
    return value;
  };
  const output = (name: BuildStep) => (event: { type: string; line?: string }) => {
    if (event.type === "output" && event.line) options.onEvent?.({ type: "build-output", step: name, line: event.line });
  };
  try {
    await stageFiles(dirs.setupDir, plan.setupFiles);
    await stageFiles(dirs.customizeDir, plan.customizeFiles);
    await mkdir(dirs.debsOut, { recursive: true });
    const { debCache } = options;
    if (debCache) options.onEvent?.({ type: "package-cache", ...(await step("package-cache", () => stageDebCache(debCache, dirs.debsIn))) });
    // apt's own partial/ too: mmdebstrap's sync-in of an empty directory fails ("not a tar archive").
    await mkdir(join(dirs.debsIn, "partial"), { recursive: true });
    const identity = treeIdentity(recipe);
    const updatedFrom = options.rebuild ? undefined : await updateKeptTree(options, plan, dirs, work, identity, step);
    if (!updatedFrom) {
      await step("mmdebstrap", () =>
        supervisor.exec({
          name: `mmdebstrap-${recipe.distro}`,
          command: MMDEBSTRAP,
          args: plan.mmdebstrapArgs,
          timeoutMs: 30 * 60_000 * scale,
          onEvent: output("mmdebstrap"),
        }),
      );
    }
    const boot = await bootFiles(dirs.rootDir, work);
    const packages = await step("packages", () => installedPackages(supervisor, dirs.rootDir));
    if (debCache) await keepDebs(debCache, dirs.debsOut, packages);
    const raw = join(work, "disk.raw");
    await step("filesystem", () =>
      supervisor.exec({
        name: `mke2fs-${recipe.distro}`,
        command: "mke2fs",
        args: ["-q", "-F", "-t", "ext4", "-L", "msfroot", "-d", dirs.rootDir, raw, recipe.diskSize],
        timeoutMs: 10 * 60_000 * scale,
      }),
    );
    const qcow2 = join(work, "disk.qcow2");
    await step("qcow2", () => diskTools(supervisor).convert(raw, qcow2, { fromFormat: "raw", compress: true }));
    const image = await step("publish", () =>
      publishImage({
        imagesDir,
        distro: recipe.distro,
        key,
        files: { disk: qcow2, kernel: boot.kernel, initrd: boot.initrd },
        manifest: {
          buildMs: Date.now() - started,
          recipe: {
            kind: "bootstrap",
            suite: recipe.suite,
            architecture: recipe.architecture,
            mirror: recipe.mirror,
            suites: options.suites.map(({ suite, mirror, date, digest }) => ({ suite, mirror, date, digest })),
            packages: plan.packages,
            diskSize: recipe.diskSize,
            identity,
            ...(updatedFrom ? { updatedFrom } : {}),
          },
          append: plan.append,
          sshUser: "root",
          packages,
          kernelRelease: boot.release,
        },
      }),
    );
    await keepTree(distroDir, identity, key, work, dirs.rootDir);
    return image;
  } finally {
    await removeBuildDir(work, supervisor);
  }
}

async function stageFiles(root: string, files: GuestFile[]): Promise<void> {
  for (const file of files) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
}

/** Every package installed in the build root, read from its dpkg database by the host's dpkg-query. */
async function installedPackages(supervisor: Supervisor, rootDir: string): Promise<InstalledPackage[]> {
  const [command, ...args] = PACKAGE_QUERY.apt as [string, ...string[]];
  const result = await supervisor.exec({ name: "dpkg-query", command, args: [`--admindir=${join(rootDir, "var/lib/dpkg")}`, ...args], timeoutMs: 60_000 });
  const packages = parsePackageList(result.stdout);
  if (!packages.length) throw new MsfError("ERR_MSF_IMAGE_BUILD", `dpkg-query found no installed package in ${rootDir}`);
  return packages;
}

/**
 * The last build's tree brought up to the archive's state, if one of this recipe was kept: returns
 * the key it was built for. A failed update is said, and the build starts from scratch.
 */
async function updateKeptTree(
  options: EnsureImageOptions,
  plan: BootstrapPlan,
  dirs: UpdateDirs,
  work: string,
  identity: string,
  step: <T>(name: BuildStep, work: () => Promise<T>) => Promise<T>,
): Promise<string | undefined> {
  const { recipe, supervisor } = options;
  const from = await takeTree(join(options.imagesDir, recipe.distro), identity, work, dirs.rootDir);
  if (!from) return undefined;
  try {
    await step("update", () =>
      supervisor.exec({
        name: `update-${recipe.distro}`,
        command: "unshare",
        args: planUpdate(recipe, dirs, plan.customizeCommands),
        timeoutMs: 20 * 60_000 * (options.timeoutScale ?? 1),
        onEvent: (event) => {
          if (event.type === "output" && event.line) options.onEvent?.({ type: "build-output", step: "update", line: event.line });
        },
      }),
    );
    return from;
  } catch (error) {
    options.onEvent?.({ type: "update-failed", from, reason: error instanceof Error ? error.message.slice(0, 2_000) : String(error) });
    await removeBuildDir(dirs.rootDir, supervisor);
    return undefined;
  }
}

/**
 * The kernel and initrd the image installed (copied out: the tree is kept), for direct kernel boot,
 * and the kernel's release.
 */
async function bootFiles(rootDir: string, workDir: string): Promise<{ kernel: string; initrd: string; release: string }> {
  const names = await readdir(join(rootDir, "boot"));
  const kernel = names
    .filter((n) => n.startsWith("vmlinuz-"))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .at(-1);
  const initrd = kernel && names.find((n) => n === `initrd.img-${kernel.slice("vmlinuz-".length)}`);
  if (!kernel || !initrd) {
    throw new MsfError("ERR_MSF_IMAGE_BUILD", `the built system has no kernel and initrd in /boot (found: ${names.join(", ") || "nothing"})`, {
      hint: "the recipe must include linux-image-amd64 and an initramfs generator",
    });
  }
  await copyFile(join(rootDir, "boot", kernel), join(workDir, "vmlinuz"));
  await copyFile(join(rootDir, "boot", initrd), join(workDir, "initrd.img"));
  return { kernel: join(workDir, "vmlinuz"), initrd: join(workDir, "initrd.img"), release: kernel.slice("vmlinuz-".length) };
}

async function removeStaleBuilds(distroDir: string, key: string, supervisor: Supervisor): Promise<void> {
  for (const name of await readdir(distroDir)) {
    if (name.startsWith(`.build-${key}-`) || name.startsWith(`.stage-${key}-`)) await removeBuildDir(join(distroDir, name), supervisor);
  }
}
