import type { Distribution } from "./schema.ts";

/** An in-place upgrade a distribution documents, from one catalog release to another. */
export interface UpgradeHop {
  from: Distribution;
  to: Distribution;
}

/** The vendor part of an id (`debian`, `ubuntu`, `alma`...): hops never cross vendors. */
const vendorOf = (d: Distribution) => d.id.slice(0, d.id.lastIndexOf("-"));
const major = (d: Distribution) => Number.parseFloat(d.version);

/**
 * Pure: the upgrades each publisher supports between catalog releases: Debian to the next release;
 * Ubuntu LTS to the next LTS; Fedora up to two releases on; RHEL, AlmaLinux and Rocky Linux one
 * major release on (Leapp, ELevate); openSUSE Leap 15.6 to 16.0. Moving targets have none.
 */
export function upgradeHops(catalog: readonly Distribution[]): UpgradeHop[] {
  const hops: UpgradeHop[] = [];
  for (const from of catalog) {
    if (from.movingTarget) continue;
    const later = catalog.filter((to) => vendorOf(to) === vendorOf(from) && !to.movingTarget && major(to) > major(from)).sort((a, b) => major(a) - major(b));
    const reach = from.family === "fedora" ? 2 : 1;
    const candidates = from.family === "ubuntu" ? later.filter((to) => /\.04$/.test(to.version) && Number(to.version.split(".")[0]) % 2 === 0) : later;
    for (const to of candidates.slice(0, reach)) hops.push({ from, to });
  }
  return hops;
}
