import { createHash } from "node:crypto";
import { MsfError } from "@msf/core";
import { BOOTSTRAP_APPEND, customizeFiles, ENABLED_UNITS, type GuestFile, MASKED_UNITS, setupFiles } from "./guest-files.ts";
import { BASE_PACKAGES, type BootstrapRecipe } from "./recipe.ts";

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
  append: string;
}

export interface PlanDirs {
  setupDir: string;
  customizeDir: string;
  rootDir: string;
}

function packagesOf(recipe: BootstrapRecipe): string[] {
  return [...new Set([...BASE_PACKAGES, ...recipe.packages])].sort();
}

/** The image cache key: a hash of everything that goes into the image (the mirror excepted). */
export function bootstrapKey(recipe: BootstrapRecipe): string {
  const inputs = {
    v: 1,
    suite: recipe.suite,
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
export function planBootstrap(recipe: BootstrapRecipe, dirs: PlanDirs): BootstrapPlan {
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
  const key = bootstrapKey(recipe);
  const mmdebstrapArgs = [
    "--variant=apt",
    `--architectures=${recipe.architecture}`,
    `--components=${recipe.components.join(",")}`,
    `--include=${packages.join(",")}`,
    // dpkg without fsync: the build is thrown away on failure anyway, and it halves the time.
    `--hook-directory=${EATMYDATA_HOOKS}`,
    `--setup-hook=sync-in ${dirs.setupDir} /`,
    `--customize-hook=sync-in ${dirs.customizeDir} /`,
    `--customize-hook=chroot "$1" systemctl enable ${ENABLED_UNITS.join(" ")}`,
    `--customize-hook=chroot "$1" systemctl mask --quiet ${MASKED_UNITS.join(" ")}`,
    ...(recipe.disabledUnits.length
      ? [
          `--customize-hook=for unit in ${recipe.disabledUnits.join(" ")}; do if chroot "$1" systemctl is-enabled --quiet "$unit" 2>/dev/null; then chroot "$1" systemctl disable --quiet "$unit"; fi; done`,
        ]
      : []),
    // Each VM gets its own host key at boot; the image must not carry one all clones share.
    `--customize-hook=rm -f "$1"/etc/ssh/ssh_host_*`,
    recipe.suite,
    dirs.rootDir,
    recipe.mirror,
  ];
  return { key, packages, setupFiles: setup, customizeFiles: customize, mmdebstrapArgs, append: BOOTSTRAP_APPEND };
}
