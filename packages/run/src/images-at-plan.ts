import { findDistribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { bootstrapKey } from "@msf/preseed";
import { listImages } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { archiveStates, type ImageChoice, imageRecipeFor } from "@msf/vm";
import type { RunConfig } from "./config.ts";
import type { RunEvent } from "./events.ts";
import type { RunPlan } from "./plan.ts";

type ArchiveChecked = Extract<RunEvent, { type: "archive-checked" }>;

/** Pure: the image choice a distribution's install step gets from the run's configuration. */
export function imageChoiceOf(config: RunConfig, distro: string): ImageChoice {
  const { offline, refresh, acceptExpired, use } = config.images;
  return { image: use, offline, refresh, acceptExpired, withoutUpdates: config.distributions[distro]?.updates === false };
}

/**
 * Decides at plan time which image each distribution boots, and hands it to its install step: the
 * state of every suite is read from its signed InRelease (all distributions at once, well under a
 * second), so the plan names the image key and a new security update means a new image. With
 * `--image` or `--offline` nothing is checked.
 */
export async function chooseImages(ctx: MsfContext, plan: RunPlan, config: RunConfig, onEvent: (event: ArchiveChecked) => void): Promise<RunPlan> {
  const installs = plan.tasks.filter((t) => t.phase === "install" && t.distro);
  const use = config.images.use;
  if (use && use !== "last-good") await requireKeyOfOneDistribution(ctx, use, plan.matrix);
  const started = Date.now();
  const checked = await Promise.all(
    installs.map(async (task) => {
      const distro = task.distro as string;
      const choice = imageChoiceOf(config, distro);
      const distribution = findDistribution(distro);
      if (!distribution || !task.bootstrap || choice.image || choice.offline) return { task, choice };
      const suites = await archiveStates(ctx, distribution, choice);
      return { task, choice, suites, key: bootstrapKey(imageRecipeFor(distribution, choice), suites) };
    }),
  );
  const images = checked.flatMap(({ task, key, suites }) =>
    key && suites ? [{ distro: task.distro as string, key, suites: suites.map(({ suite, date, digest }) => ({ suite, date, digest })) }] : [],
  );
  if (images.length) onEvent({ type: "archive-checked", images, ms: Date.now() - started });
  const given = new Map(checked.map(({ task, choice, suites, key }) => [task.id, { choice, suites, key }]));
  return {
    ...plan,
    tasks: plan.tasks.map((t) => {
      const g = given.get(t.id);
      if (!g) return t;
      return { ...t, given: { choice: g.choice, suites: g.suites }, action: g.key ? `${t.action}; image ${g.key}` : t.action };
    }),
  };
}

/** An image key names one distribution's image: the run must be of that distribution alone. */
async function requireKeyOfOneDistribution(ctx: MsfContext, key: string, matrix: readonly string[]): Promise<void> {
  const owner = (await listImages(ctx.paths.images)).find((image) => image.manifest.key === key)?.manifest.distro;
  if (!owner) throw new MsfError("ERR_MSF_NOT_FOUND", `there is no image ${key}`, { hint: "msf images list shows the images there are" });
  const others = matrix.filter((d) => d !== owner);
  if (others.length) {
    throw new MsfError("ERR_MSF_USAGE", `image ${key} is an image of ${owner}, but the run also has ${others.join(", ")}`, {
      hint: `add --distro ${owner}`,
    });
  }
}
