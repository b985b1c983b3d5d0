import { catalog, type Distribution, findDistribution } from "@msf/catalog";
import { MsfError } from "@msf/core";

/** A catalog distribution by id, or a not-found error listing the known ids. */
export function requireDistribution(id: string): Distribution {
  const distribution = findDistribution(id);
  if (!distribution) throw new MsfError("ERR_MSF_NOT_FOUND", `no distribution ${id} in the catalog`, { hint: `known: ${catalog.map((d) => d.id).join(", ")}` });
  return distribution;
}
