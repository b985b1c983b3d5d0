import { createHash } from "node:crypto";
import { MsfError } from "@msf/core";
import { BOOTSTRAP_APPEND, customizeFiles, ENABLED_UNITS, type GuestFile, MASKED_UNITS, setupFiles } from "./guest-files.ts";
import { BASE_PACKAGES, type BootstrapRecipe, recipeSuites } from "./recipe.ts";

export const MMDEBSTRAP = "mmdebstrap";
const EATMYDATA_HOOKS = "/usr/share/mmdebstrap/hooks/eatmydata";

export interface BootstrapPlan {
  /** Changes whenever anything that goes into the image changes (mirror excepted). */
  key: string;
  packages: string[];
  setupFiles: GuestFile[];
  customizeFiles: GuestFile[];
  /** mmdebstrap's argv (without the binary), given where the staged files and the root go. */
  mmdebstrapArgs: string[];
  /** The shell customize steps (`$1` is the root), run again after an update (see update.ts). */
  customizeCommands: string[];
  append: string;
}

export interface PlanDirs {
  setupDir: string;
  customizeDir: string;
  rootDir: string;
  /** The package cache handed in (sync-in) and what the build downloaded handed out (sync-out). */
  debsIn: string;
  debsOut: string;
}

/** A suite's state as the image key needs it: the digest of its signed package indexes. */
export interface SuiteDigest {
  suite: string;
  digest: string;
}

/** The suite states must be those of the recipe's suites, in order: a key never silently ignores one. */
function requireSuites(recipe: BootstrapRecipe, suites: readonly SuiteDigest[]): void {
  const expected = recipeSuites(recipe).map((s) => s.suite);
  if (suites.map((s) => s.suite).join() !== expected.join()) {
    throw new MsfError(
      "ERR_MSF_CONFIG",
      `the image of ${recipe.distro} is built from ${expected.join(", ")}, but the suite states given are for ${suites.map((s) => s.suite).join(", ") || "none"}`,
    );
  }
}

function packagesOf(recipe: BootstrapRecipe): string[] {
  return [...new Set([...BASE_PACKAGES, ...recipe.packages])].sort();
}

/**
 * The image cache key: a hash of everything that goes into the image, the state of each suite
 * included (a point release or a security update means a new image); the mirror excepted.
 */
export function bootstrapKey(recipe: BootstrapRecipe, suites: readonly SuiteDigest[]): string {
  requireSuites(recipe, suites);
  const inputs = {
    v: 2,
    suites: suites.map((s) => [s.suite, s.digest]),
    arch: recipe.architecture,
    components: recipe.components,
    packages: packagesOf(recipe),
    setup: setupFiles(),
    customize: customizeFiles(recipe),
    units: ENABLED_UNITS,
    masked: MASKED_UNITS,
    disabled: recipe.disabledUnits,
    size: recipe.diskSize,
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

/** Pure: a recipe to everything the image build does. */
/** What the customize stage does in the root ($1) besides copying files in: units, and no shared host key. */
function customizeCommands(recipe: BootstrapRecipe): string[] {
  return [
    `chroot "$1" systemctl enable ${ENABLED_UNITS.join(" ")}`,
    `chroot "$1" systemctl mask --quiet ${MASKED_UNITS.join(" ")}`,
    ...(recipe.disabledUnits.length
      ? [
          `for unit in ${recipe.disabledUnits.join(" ")}; do if chroot "$1" systemctl is-enabled --quiet "$unit" 2>/dev/null; then chroot "$1" systemctl disable --quiet "$unit"; fi; done`,
        ]
      : []),
    // Each VM gets its own host key at boot; the image must not carry one all clones share.
    `rm -f "$1"/etc/ssh/ssh_host_*`,
  ];
}

export function planBootstrap(recipe: BootstrapRecipe, dirs: PlanDirs, suites: readonly SuiteDigest[]): BootstrapPlan {
  for (const [name, dir] of Object.entries(dirs)) {
    if (/\s/.test(dir)) {
      throw new MsfError("ERR_MSF_CONFIG", `${name} must not contain white space (mmdebstrap hooks split on it): ${dir}`, {
        hint: "set MSF_HOME (or XDG_CACHE_HOME) to a path without spaces",
      });
    }
  }
  const packages = packagesOf(recipe);
  const setup = setupFiles();
  const customize = customizeFiles(recipe);
  const key = bootstrapKey(recipe, suites);
  const commands = customizeCommands(recipe);
  const mmdebstrapArgs = [
    "--variant=apt",
    `--architectures=${recipe.architecture}`,
    `--components=${recipe.components.join(",")}`,
    `--include=${packages.join(",")}`,
    ...(recipe.acceptExpired ? ["--aptopt=Acquire::Check-Valid-Until false"] : []),
    // dpkg without fsync: the build is thrown away on failure anyway, and it halves the time.
    `--hook-directory=${EATMYDATA_HOOKS}`,
    // The host's package cache in, what was downloaded out; apt-get clean still empties the image's.
    "--skip=download/empty",
    "--skip=essential/unlink",
    `--setup-hook=mkdir -p "$1"/var/cache/apt/archives`,
    `--setup-hook=sync-in ${dirs.debsIn} /var/cache/apt/archives/`,
    `--setup-hook=sync-in ${dirs.setupDir} /`,
    `--customize-hook=sync-out /var/cache/apt/archives ${dirs.debsOut}`,
    `--customize-hook=sync-in ${dirs.customizeDir} /`,
    ...commands.map((command) => `--customize-hook=${command}`),
    recipe.suite,
    dirs.rootDir,
    recipe.mirror,
    ...recipe.updates.map((u) => `deb ${u.mirror} ${u.suite} ${recipe.components.join(" ")}`),
  ];
  return { key, packages, setupFiles: setup, customizeFiles: customize, mmdebstrapArgs, customizeCommands: commands, append: BOOTSTRAP_APPEND };
}
