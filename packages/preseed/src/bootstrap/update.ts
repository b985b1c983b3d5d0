import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { bootstrapKey } from "./plan.ts";
import { type BootstrapRecipe, recipeSuites } from "./recipe.ts";

// An image build keeps its root tree (`<images>/<distro>/.tree-<identity>`). When the archive moves
// on (a point release, a security update), the next build of the same recipe takes that tree and
// upgrades it with apt instead of bootstrapping again: only what changed is downloaded and unpacked.

/** What a recipe builds apart from the archive's state: builds of one identity can update each other's tree. */
export function treeIdentity(recipe: BootstrapRecipe): string {
  return bootstrapKey(
    recipe,
    recipeSuites(recipe).map(({ suite }) => ({ suite, digest: "" })),
  );
}

/** Where the tree of a recipe identity is kept. */
const treeDir = (distroDir: string, identity: string) => join(distroDir, `.tree-${identity}`);
const TreeSchema = z.object({ identity: z.string(), key: z.string() });

/**
 * Takes the recipe's kept tree into `rootDir` (moving it, so no other build uses it meanwhile);
 * returns the key of the image it made, or undefined when there is none to take.
 */
export async function takeTree(distroDir: string, identity: string, workDir: string, rootDir: string): Promise<string | undefined> {
  const taken = join(workDir, `tree-${randomBytes(4).toString("hex")}`);
  try {
    await rename(treeDir(distroDir, identity), taken);
  } catch {
    return undefined; // none kept, or another build has it
  }
  const parsed = TreeSchema.safeParse(JSON.parse(await readFile(join(taken, "tree.json"), "utf8").catch(() => "null")));
  if (!parsed.success || parsed.data.identity !== identity) return undefined; // not what its name says: goes with the work dir
  await rename(join(taken, "root"), rootDir);
  return parsed.data.key;
}

/** Keeps a build's root for the next build of the recipe (unless another was kept meanwhile). */
export async function keepTree(distroDir: string, identity: string, key: string, workDir: string, rootDir: string): Promise<void> {
  const keep = join(workDir, "keep");
  await mkdir(keep);
  await writeFile(join(keep, "tree.json"), JSON.stringify({ identity, key }));
  await rename(rootDir, join(keep, "root"));
  await rename(keep, treeDir(distroDir, identity)).catch(() => undefined);
}

/**
 * The update, as a script for `sh` in a mount namespace of its own (its /proc, /dev and resolv.conf
 * mounts vanish with it, however it ends). The sources are the recipe's (its mirror may have
 * changed); apt upgrades to what the archive serves now, without
 * prompts and keeping msf's configuration files; a new kernel replaces the old one; every installed
 * version must be one the archive serves (otherwise a fresh build would differ: exit 3). Then the
 * customize stage runs again, as after a bootstrap.
 */
const UPDATE_SCRIPT = String.raw`root=$1 debs_in=$2 debs_out=$3 customize=$4 valid_until=$5 sources=$6
shift 6
printf '%s\n' "$sources" > "$root/etc/apt/sources.list"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
cp -al "$debs_in/." "$root/var/cache/apt/archives/"
apt() { chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-unsafe-io -o Acquire::Check-Valid-Until=$valid_until "$@"; }
apt update
apt dist-upgrade
apt autoremove --purge
old_kernels=$(chroot "$root" dpkg-query -W -f '${"$"}{db:Status-Abbrev} ${"$"}{Package}\n' 'linux-image-[0-9]*' | awk '$1 == "ii" { print $2 }' | sort -V | head -n -1)
[ -z "$old_kernels" ] || apt purge $old_kernels
local_only=$(chroot "$root" apt list --installed 2>/dev/null | grep ',local\]' || true)
if [ -n "$local_only" ]; then echo "installed, but not in the archive now: $local_only" >&2; exit 3; fi
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec ln -f -t "$debs_out" {} +
apt clean
rm -f "$root"/var/lib/apt/lists/*_*
cp -a "$customize/." "$root/"
for step; do sh -c "$step" sh "$root"; done
`;

export interface UpdateDirs {
  rootDir: string;
  debsIn: string;
  debsOut: string;
  customizeDir: string;
}

/** Pure: the argv (unshare, then the script) that brings a kept root up to the archive's state. */
export function planUpdate(recipe: BootstrapRecipe, dirs: UpdateDirs, customizeCommands: readonly string[]): string[] {
  const validUntil = recipe.acceptExpired ? "false" : "true";
  return [
    "--mount",
    "--propagation",
    "private",
    "--",
    "sh",
    "-euc",
    UPDATE_SCRIPT,
    "msf-update",
    dirs.rootDir,
    dirs.debsIn,
    dirs.debsOut,
    dirs.customizeDir,
    validUntil,
    recipeSuites(recipe)
      .map(({ suite, mirror }) => `deb ${mirror} ${suite} ${recipe.components.join(" ")}`)
      .join("\n"),
    ...customizeCommands,
  ];
}
