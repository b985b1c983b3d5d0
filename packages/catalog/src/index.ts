import { distributions } from "./distributions.ts";
import { type Distribution, DistributionSchema } from "./schema.ts";

export { type Distribution, type DistributionInput, DistributionSchema, InstallerKinds, type Media, type MediaInput, MediaSchema } from "./schema.ts";

/** The catalog, validated once. */
export const catalog: readonly Distribution[] = distributions.map((entry) => DistributionSchema.parse(entry));

export function findDistribution(id: string): Distribution | undefined {
  return catalog.find((d) => d.id === id);
}

/** The original 12-distribution matrix of Mail Server Factory. */
export function seedMatrix(): Distribution[] {
  return catalog.filter((d) => d.seedMatrix);
}
