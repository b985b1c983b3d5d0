import { join } from "node:path";
import type { Distribution } from "@msf/catalog";
import { MsfError, readJsonIfExists, writeJsonAtomic } from "@msf/core";
import { checkSuites, type SuiteState, staleness } from "@msf/iso";
import { type BootstrapRecipe, type BuildEvent, bootstrapKey, ensureBootstrapImage, recipeSuites, unreachableUpdateSuites } from "@msf/preseed";
import { findImage, listImages, readPin, type StoredImage } from "@msf/qemu";
import { type MsfContext, ProcessError } from "@msf/supervisor";
import { z } from "zod";
import { imageRecipeFor } from "./recipe.ts";

/** Which golden image to use; by default the image of the archive's state now (built when missing). */
export interface ImageChoice {
  /** `last-good` (the distribution's pinned image) or an image key. */
  image?: string;
  /** No archive check: the newest cached image, which may be behind the archive. */
  offline?: boolean;
  /** Check the archive's state again now (not the state checked minutes ago) and build the image again. */
  refresh?: boolean;
  /** Build from a Release past its Valid-Until (a frozen mirror): the report says so. */
  acceptExpired?: boolean;
  /** The release suite alone, without -updates and -security. */
  withoutUpdates?: boolean;
}

export type ImageEvent = BuildEvent | { type: "image-stale"; distro: string; key: string; message: string };

export interface GoldenImage {
  image: StoredImage;
  built: boolean;
  /** Why the image may not be what the archive serves now (offline, an expired Release). */
  stale?: string;
}

/**
 * The signed state of each suite a distribution's image is built from, checked in parallel (or
 * reused from a check minutes ago). An expired Release is refused unless accepted.
 */
export async function archiveStates(ctx: MsfContext, distribution: Distribution, choice: ImageChoice = {}): Promise<SuiteState[]> {
  const states = await checkSuites(recipeSuites(imageRecipeFor(distribution, choice)), {
    supervisor: ctx.supervisor,
    cacheDir: join(ctx.paths.cache, "suites"),
    refresh: choice.refresh,
    signal: ctx.signal,
  });
  for (const state of states) {
    const problem = staleness(state);
    if (problem && !choice.acceptExpired) {
      throw new MsfError("ERR_MSF_ARCHIVE_STALE", `${distribution.id}: ${problem}`, {
        hint: "use a current mirror; to test this mirror's state anyway, pass --accept-expired (the report records it)",
        details: { suite: state.suite, validUntil: state.validUntil },
      });
    }
  }
  return states;
}

/** Pure: what to say about expired suites that were accepted, if any. */
export function expiredNote(states: readonly SuiteState[]): string | undefined {
  const problems = states.map((s) => staleness(s)).filter(Boolean);
  return problems.length ? `built from an expired Release, accepted: ${problems.join("; ")}` : undefined;
}

/** The golden image a VM of the distribution boots, chosen as `choice` says; verified before use. */
export async function goldenImage(
  ctx: MsfContext,
  distribution: Distribution,
  choice: ImageChoice & { suites?: SuiteState[]; onEvent?: (event: ImageEvent) => void } = {},
): Promise<GoldenImage> {
  const distro = distribution.id;
  if (choice.image) return { image: await chosenImage(ctx, distro, choice.image), built: false };
  if (!distribution.bootstrap || choice.offline) {
    const [newest] = (await listImages(ctx.paths.images)).filter((image) => image.manifest.distro === distro);
    if (!newest) {
      throw new MsfError("ERR_MSF_NOT_FOUND", `there is no ${distribution.bootstrap ? "cached" : "installed"} image of ${distro}`, {
        hint: distribution.bootstrap ? `build it once with the archive reachable: msf vm up ${distro}` : `install it first: msf install ${distro} --from iso`,
      });
    }
    const image = (await findImage(ctx.paths.images, distro, newest.manifest.key, { verify: true })) ?? newest;
    if (!distribution.bootstrap) return { image, built: false };
    const message = `offline: using the newest cached image of ${distro} (built ${image.manifest.createdAt}); the archive may have newer packages`;
    choice.onEvent?.({ type: "image-stale", distro, key: image.manifest.key, message });
    return { image, built: false, stale: message };
  }
  const suites = choice.suites ?? (await archiveStates(ctx, distribution, choice));
  const recipe = { ...imageRecipeFor(distribution, choice), acceptExpired: Boolean(choice.acceptExpired) };
  const build = (r: BootstrapRecipe, s: readonly SuiteState[]) =>
    ensureBootstrapImage({
      recipe: r,
      suites: s,
      imagesDir: ctx.paths.images,
      debCache: join(ctx.paths.cache, "debs", distro),
      rebuild: choice.refresh,
      supervisor: ctx.supervisor,
      onEvent: choice.onEvent,
      timeoutScale: ctx.timeoutScale,
    });
  const incomplete = join(ctx.paths.images, distro, `.incomplete-${bootstrapKey(recipe, suites)}.json`);
  let missing = IncompleteSchema.safeParse(await readJsonIfExists(incomplete).catch(() => undefined)).data;
  if (!missing) {
    try {
      const { image, built } = await build(recipe, suites);
      return { image, built, stale: expiredNote(suites) };
    } catch (error) {
      const output = error instanceof ProcessError ? `${error.result.stdout}\n${error.result.stderr}` : "";
      missing = unreachableUpdateSuites(recipe, output);
      if (!missing.suites.length) throw error;
      await writeJsonAtomic(incomplete, missing); // this archive state: the next build goes straight to the fallback
    }
  }
  // The mirror lists files of an update suite that it does not serve: built without that suite, and said.
  const message = `built without ${missing.suites.join(", ")}: the mirror lists files it does not serve (404: ${missing.files.slice(0, 3).join(", ")}${missing.files.length > 3 ? ", ..." : ""}); security updates from it are not in this image`;
  const without = { ...recipe, updates: recipe.updates.filter((u) => !missing.suites.includes(u.suite)) };
  const { image, built } = await build(
    without,
    suites.filter((s) => !missing.suites.includes(s.suite)),
  );
  choice.onEvent?.({ type: "image-stale", distro, key: image.manifest.key, message });
  return { image, built, stale: [message, expiredNote(suites)].filter(Boolean).join("; ") };
}

const IncompleteSchema = z.object({ suites: z.array(z.string()).min(1), files: z.array(z.string()) });

/** `last-good` or a key: that image, verified, or an error saying what exists. */
async function chosenImage(ctx: MsfContext, distro: string, wanted: string): Promise<StoredImage> {
  if (wanted !== "last-good" && !/^[0-9a-f]{8,64}$/.test(wanted)) {
    throw new MsfError("ERR_MSF_USAGE", `--image must be last-good or an image key (hex, as msf images list shows), got ${JSON.stringify(wanted)}`);
  }
  const pin = wanted === "last-good" ? await readPin(ctx.paths.images, distro) : undefined;
  if (wanted === "last-good" && !pin) {
    throw new MsfError("ERR_MSF_NOT_FOUND", `${distro} has no last known good image yet (no run of it has passed)`, {
      hint: `msf images list shows the images; a passing msf run --distro ${distro} pins one`,
    });
  }
  const key = pin?.key ?? wanted;
  const image = await findImage(ctx.paths.images, distro, key, { verify: true });
  if (!image) {
    throw new MsfError("ERR_MSF_NOT_FOUND", `there is no image ${key} of ${distro}${pin ? " (the pinned one is gone)" : ""}`, {
      hint: "msf images list shows the images there are",
    });
  }
  return image;
}
