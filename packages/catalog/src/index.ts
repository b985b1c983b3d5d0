import { distributions } from "./distributions.ts";
import { type Distribution, DistributionSchema } from "./schema.ts";

export { catalogKeys } from "./keys.ts";
export { type Distribution, type DistributionInput, DistributionSchema, InstallerKinds, type Media, type MediaInput, MediaSchema } from "./schema.ts";
export { type UpgradeHop, upgradeHops } from "./upgrades.ts";

/** The catalog, validated once. */
export const catalog: readonly Distribution[] = distributions.map((entry) => DistributionSchema.parse(entry));

export function findDistribution(id: string): Distribution | undefined {
  return catalog.find((d) => d.id === id);
}

/** The original 12-distribution matrix of Mail Server Factory. */
export function seedMatrix(): Distribution[] {
  return catalog.filter((d) => d.seedMatrix);
}

/** What `msf run` proves by default: the Debian releases built from the archive (11, 12, 13). */
export function defaultMatrix(): Distribution[] {
  return catalog.filter((d) => d.bootstrap && !d.movingTarget);
}

/** Debian testing and unstable: their packages change every day. */
export function nextMatrix(): Distribution[] {
  return catalog.filter((d) => d.movingTarget);
}

export interface Lifecycle {
  state: "supported" | "ended" | "moving";
  endOfLife?: string;
  /** For a report: "supported until 2028-06-30", "end of life since 2026-08-31", "moving target: ...". */
  note: string;
}

/** Pure: where a distribution is in its life on a day (today by default). */
export function lifecycleOf(distribution: Distribution, on: Date = new Date()): Lifecycle {
  const { endOfLife } = distribution;
  if (distribution.movingTarget) return { state: "moving", note: "moving target: its packages change daily, a verdict holds for the day it was made" };
  if (!endOfLife) return { state: "supported", note: "no end of life announced" };
  const ended = endOfLife < on.toISOString().slice(0, 10);
  return { state: ended ? "ended" : "supported", endOfLife, note: ended ? `end of life since ${endOfLife}` : `supported until ${endOfLife}` };
}

export {
  type InstalledPackage,
  InstalledPackageSchema,
  PACKAGE_QUERY,
  type PackageChange,
  packageChanges,
  parsePackageList,
  type StackComponent,
  StackComponents,
  type StackVersion,
  stackVersions,
} from "./packages.ts";
