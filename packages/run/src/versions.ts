import { join } from "node:path";
import { type Distribution, type InstalledPackage, InstalledPackageSchema, packageChanges, stackVersions } from "@msf/catalog";
import { readJsonIfExists } from "@msf/core";
import { findImage, type ImageManifest, writePin } from "@msf/qemu";
import { type Changes, type DistributionResult, type Versions, verdictOf } from "@msf/report";
import type { MsfContext } from "@msf/supervisor";
import { z } from "zod";
import { readRunReport, readRuns } from "./history.ts";

/** report/packages/<distro>.json: every package the run tested, and where the list was read. */
export const PackagesFileSchema = z.object({
  distro: z.string(),
  source: z.enum(["guest", "image"]),
  kernelRelease: z.string().optional(),
  packages: z.array(InstalledPackageSchema),
});
export type PackagesFile = z.infer<typeof PackagesFileSchema>;

/** What the test step wrote: the guest's kernel and packages (`readServerVersions`). */
const GuestVersionsSchema = z.object({ kernelRelease: z.string(), packages: z.array(InstalledPackageSchema) });

export const packagesFileOf = (distro: string) => `packages/${distro}.json`;

/** The install step's output as the journal keeps it. */
export const InstallOutputSchema = z.object({ key: z.string(), imageDir: z.string(), stale: z.string().optional() });

/**
 * The image a distribution ran on and the versions it was tested with: read from the guest when the
 * test step got that far, else from the image's build.
 */
export async function testedVersions(
  ctx: MsfContext,
  runDir: string,
  distribution: Distribution,
  install: z.infer<typeof InstallOutputSchema> | undefined,
): Promise<{ image?: DistributionResult["image"]; list?: PackagesFile; versions?: Versions }> {
  const manifest = install ? (await findImage(ctx.paths.images, distribution.id, install.key).catch(() => undefined))?.manifest : undefined;
  const image = install && {
    key: install.key,
    builtAt: manifest?.createdAt,
    suites: suitesOf(manifest),
    stale: install.stale,
  };
  const guest = GuestVersionsSchema.safeParse(await readJsonIfExists(join(runDir, "vms", distribution.id, "packages.json")).catch(() => undefined));
  const list: PackagesFile | undefined = guest.success
    ? { distro: distribution.id, source: "guest", ...guest.data }
    : manifest?.packages
      ? { distro: distribution.id, source: "image", kernelRelease: manifest.kernelRelease, packages: manifest.packages }
      : undefined;
  if (!list) return { image };
  const versions: Versions = {
    source: list.source,
    kernelRelease: list.kernelRelease,
    stack: stackVersions(list.packages, distribution.packageFamily),
    packages: list.packages.length,
    packagesFile: packagesFileOf(distribution.id),
  };
  return { image, list, versions };
}

function suitesOf(manifest: ImageManifest | undefined): Array<{ suite: string; date: string; digest: string }> {
  const parsed = z.array(z.object({ suite: z.string(), date: z.string(), digest: z.string() })).safeParse(manifest?.recipe.suites);
  return parsed.success ? parsed.data.map(({ suite, date, digest }) => ({ suite, date, digest })) : [];
}

/** How many earlier runs are searched for a distribution's last pass. */
const BASELINE_RUNS = 50;

/**
 * What changed since the distribution's newest passing run before this one: every package whose
 * version differs, and the checks that newly fail or newly pass. Undefined when it never passed.
 */
export async function changesSinceLastPass(
  ctx: MsfContext,
  runId: string,
  current: DistributionResult,
  packages: readonly InstalledPackage[] | undefined,
): Promise<Changes | undefined> {
  for (const run of await readRuns(ctx, BASELINE_RUNS)) {
    if (run.summary.runId === runId) continue; // newest first: the first other passing run is the last pass
    const before = await readReportDistribution(run.summary.reportDir, current.id);
    if (!before || verdictOf(before.distribution) !== "passed") continue;
    const previous = before.distribution.versions ? await readPackagesFile(join(run.summary.reportDir, before.distribution.versions.packagesFile)) : undefined;
    const status = (checks: DistributionResult["checks"]) => new Map(checks.map((c) => [c.id, c.status]));
    const [was, now] = [status(before.distribution.checks), status(current.checks)];
    const failing = (s: string | undefined) => s === "fail" || s === "error";
    return {
      baseline: { runId: run.summary.runId, finishedAt: before.finishedAt },
      packages: previous && packages ? packageChanges(previous.packages, packages) : [],
      newlyFailing: [...now].filter(([id, s]) => failing(s) && was.get(id) === "pass").map(([id]) => id),
      newlyPassing: [...now].filter(([id, s]) => s === "pass" && failing(was.get(id))).map(([id]) => id),
    };
  }
  return undefined;
}

async function readReportDistribution(reportDir: string, distro: string) {
  const report = await readRunReport(reportDir);
  const distribution = report?.distributions.find((d) => d.id === distro);
  return distribution && { distribution, finishedAt: report?.finishedAt };
}

/** A run's package list (validated: it may come from another msf version or another host). */
export async function readPackagesFile(path: string): Promise<PackagesFile | undefined> {
  const parsed = PackagesFileSchema.safeParse(await readJsonIfExists(path).catch(() => undefined));
  return parsed.success ? parsed.data : undefined;
}

/** Pins the image of each distribution that passed as its last known good, with the versions it passed with. */
export async function pinPassing(ctx: MsfContext, runId: string, passed: Array<{ distro: string; key: string; packages: InstalledPackage[] }>): Promise<void> {
  for (const { distro, key, packages } of passed) await writePin(ctx.paths.images, { distro, key, runId, packages });
}
