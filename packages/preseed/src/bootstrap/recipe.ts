import type { Distribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { z } from "zod";

/** What every bootstrap image needs to boot under QEMU and be reached over SSH. */
export const BASE_PACKAGES = ["linux-image-amd64", "systemd-sysv", "udev", "dbus", "openssh-server", "iproute2", "ca-certificates"] as const;

export const BootstrapRecipeSchema = z.object({
  distro: z.string(),
  suite: z.string(),
  architecture: z.literal("amd64").default("amd64"),
  /** Not part of the cache key: the same packages come from any mirror (the suites' states are). */
  mirror: z.url(),
  /** Suites installed from on top of the release (its -updates and -security), in this order. */
  updates: z.array(z.object({ suite: z.string(), mirror: z.url() })).default([]),
  /**
   * Build from a Release past its Valid-Until (a frozen mirror's testing or unstable). Off by
   * default: an expired Release is also what a mirror replaying old packages would serve.
   */
  acceptExpired: z.boolean().default(false),
  components: z.array(z.string()).default(["main"]),
  /** Installed on top of BASE_PACKAGES; the mail-stack recipe adds its packages here. */
  packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, "a Debian package name")).default([]),
  hostname: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  /**
   * Units the packages enable that the image keeps off until something configures them (the mail
   * stack at deploy time). One list serves a family's releases: a unit a release lacks is skipped.
   */
  disabledUnits: z.array(z.string().regex(/^[a-zA-Z0-9@._-]+$/, "a systemd unit name")).default([]),
  /** Virtual size of the root filesystem. */
  diskSize: z
    .string()
    .regex(/^\d+[MG]$/)
    .default("8G"),
});
export type BootstrapRecipe = z.infer<typeof BootstrapRecipeSchema>;
export type BootstrapRecipeInput = z.input<typeof BootstrapRecipeSchema>;

/** The suites an image of the recipe is built from: the release, then its updates. */
export function recipeSuites(recipe: BootstrapRecipe): Array<{ suite: string; mirror: string }> {
  return [{ suite: recipe.suite, mirror: recipe.mirror }, ...recipe.updates];
}

/** The recipe for a catalog distribution that can be built from its archive. */
export function recipeFor(distribution: Distribution, overrides: Partial<BootstrapRecipeInput> = {}): BootstrapRecipe {
  if (!distribution.bootstrap) {
    throw new MsfError("ERR_MSF_CONFIG", `${distribution.id} cannot be built from a package archive (its installer is ${distribution.installer})`, {
      hint: "use a Debian release, or install it from media once the installer path exists",
    });
  }
  return BootstrapRecipeSchema.parse({
    distro: distribution.id,
    suite: distribution.bootstrap.suite,
    mirror: distribution.bootstrap.mirror,
    updates: distribution.bootstrap.updates,
    hostname: `msf-${distribution.id}`,
    ...overrides,
  });
}

/**
 * Pure: the update suites an image build could not download from, read from apt's errors (`Failed
 * to fetch <url> 404`): those whose own mirror (not the release's) the missing files are under. A
 * mirror that lists files it does not serve (seen with an ended release's -security) leaves no
 * other way to build than without that suite.
 */
export function unreachableUpdateSuites(recipe: BootstrapRecipe, output: string): { suites: string[]; files: string[] } {
  const urls = [...output.matchAll(/Failed to fetch (\S+)\s+404/g)].map((match) => match[1] as string);
  const suites = recipe.updates.filter((u) => u.mirror !== recipe.mirror && urls.some((url) => url.startsWith(`${u.mirror.replace(/\/$/, "")}/`)));
  return { suites: suites.map((s) => s.suite), files: urls.map((url) => decodeURIComponent(url.slice(url.lastIndexOf("/") + 1))) };
}
