import type { DistributionInput } from "./schema.ts";

const DEBIAN_MIRROR = "http://deb.debian.org/debian";
const debianResources = { memoryMiB: 2048, diskGiB: 8, cpus: 2, installTimeoutMinutes: 30 };

export const distributions: DistributionInput[] = [
  {
    id: "debian-11",
    name: "Debian 11 (bullseye)",
    version: "11",
    family: "debian",
    installer: "bootstrap",
    bootstrap: { suite: "bullseye", mirror: DEBIAN_MIRROR },
    resources: debianResources,
    packageFamily: "apt",
    endOfLife: true, // LTS ended August 2026
  },
  {
    id: "debian-12",
    name: "Debian 12 (bookworm)",
    version: "12",
    family: "debian",
    installer: "bootstrap",
    bootstrap: { suite: "bookworm", mirror: DEBIAN_MIRROR },
    resources: debianResources,
    packageFamily: "apt",
  },
  {
    id: "debian-13",
    name: "Debian 13 (trixie)",
    version: "13",
    family: "debian",
    installer: "bootstrap",
    bootstrap: { suite: "trixie", mirror: DEBIAN_MIRROR },
    resources: debianResources,
    packageFamily: "apt",
  },
];
