import type { DistributionInput, MediaInput } from "./schema.ts";

const DEBIAN_MIRROR = "http://deb.debian.org/debian";
const DEBIAN_SECURITY = "http://deb.debian.org/debian-security";
const small = { memoryMiB: 2048, diskGiB: 8, cpus: 2, installTimeoutMinutes: 30 };
const large = { memoryMiB: 2560, diskGiB: 20, cpus: 2, installTimeoutMinutes: 60 };

// Signing keys (packages/catalog/keys/, fingerprints in keys/README.md).
const DEBIAN_CD = [
  { file: "debian-cd.asc", fingerprint: "DF9B9C49EAA9298432589D76DA87E80D6294BE9B" },
  { file: "debian-cd.asc", fingerprint: "10460DAD76165AD81FBC0CE9988021A964E6EA7D" },
];
const UBUNTU_CD = [{ file: "ubuntu-cdimage.asc", fingerprint: "843938DF228D22F7B3742BC0D94AA3F0EFE21092" }];
const FEDORA_KEYS: Record<string, string> = {
  "38": "6A51BBABBA3D5467B6171221809A8D7CEB10B464",
  "39": "E8F23996F23218640CB44CBE75CF5AC418B8E74C",
  "40": "115DF9AEF857853EE8445D0A0727707EA15B79CC",
  "41": "466CF2D8B60BC3057AA9453ED0622462E99D6AD1",
  "42": "B0F4950458F69E1150C6C5EDC8AC4916105EF944",
  "43": "C6E7F081CF80E13146676E88829B606631645531",
  "44": "36F612DCF27F7D1A48A835E4DBFCF71C6D9F90A6",
};
const OPENSUSE = [
  { file: "opensuse.asc", fingerprint: "22C07BA534178CD02EFE22AAB88B2FD43DBDC284" },
  { file: "opensuse-2022.asc", fingerprint: "AD485664E901B867051AB15F35A2F86E29B700A4" },
];

const RHEL_BOOT = { kernel: "/images/pxeboot/vmlinuz", initrd: "/images/pxeboot/initrd.img" };

type Options = { endOfLife: string; seed?: boolean };

function debian(version: string, suite: string, dir: string, options: Options): DistributionInput {
  return {
    id: `debian-${version}`,
    name: `Debian ${version} (${suite})`,
    version,
    family: "debian",
    installer: "preseed",
    media: {
      dirs: [dir],
      iso: `debian-${version}\\.\\d+\\.\\d+-amd64-netinst\\.iso`,
      checksums: { file: "SHA256SUMS", signature: { kind: "detached", suffix: ".sign" } },
      keys: DEBIAN_CD,
      boot: { kernel: "/install.amd/vmlinuz", initrd: "/install.amd/initrd.gz" },
      approxSizeMiB: 700,
    },
    bootstrap: {
      suite,
      mirror: DEBIAN_MIRROR,
      updates: [
        { suite: `${suite}-updates`, mirror: DEBIAN_MIRROR },
        { suite: `${suite}-security`, mirror: DEBIAN_SECURITY },
      ],
    },
    resources: small,
    packageFamily: "apt",
    endOfLife: options.endOfLife,
    seedMatrix: options.seed,
  };
}

/** Debian testing and unstable: built from the archive alone (no installer media is published for them). */
function debianNext(name: "testing" | "unstable", suite: string): DistributionInput {
  return {
    id: `debian-${name}`,
    name: `Debian ${name} (${suite})`,
    version: name,
    family: "debian",
    installer: "bootstrap",
    bootstrap: { suite, mirror: DEBIAN_MIRROR },
    resources: small,
    packageFamily: "apt",
    movingTarget: true,
  };
}

function ubuntu(version: string, sizeMiB: number, options: Options): DistributionInput {
  return {
    id: `ubuntu-${version}`,
    name: `Ubuntu ${version} LTS`,
    version,
    family: "ubuntu",
    installer: "autoinstall",
    media: {
      dirs: [`https://releases.ubuntu.com/${version}/`, `https://old-releases.ubuntu.com/releases/${version}/`],
      iso: `ubuntu-${version.replace(".", "\\.")}(\\.\\d+)?-live-server-amd64\\.iso`,
      checksums: { file: "SHA256SUMS", signature: { kind: "detached", suffix: ".gpg" } },
      keys: UBUNTU_CD,
      boot: { kernel: "/casper/vmlinuz", initrd: "/casper/initrd" },
      approxSizeMiB: sizeMiB,
    },
    resources: large,
    packageFamily: "apt",
    endOfLife: options.endOfLife,
    seedMatrix: options.seed,
  };
}

function fedora(version: string, options: Options): DistributionInput {
  const path = `${version}/Server/x86_64/iso/`;
  const current = `https://download.fedoraproject.org/pub/fedora/linux/releases/${path}`;
  const archive = `https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/${path}`;
  return {
    id: `fedora-${version}`,
    name: `Fedora Server ${version}`,
    version,
    family: "fedora",
    installer: "kickstart",
    media: {
      // Ended releases move to the archive site some weeks after their end of life.
      dirs: options.endOfLife < new Date().toISOString().slice(0, 10) ? [archive, current] : [current, archive],
      iso: `Fedora-Server-dvd-x86_64-${version}-[\\d.]+\\.iso`,
      checksums: { file: `Fedora-Server-${version}-[\\d.]+-x86_64-CHECKSUM`, pattern: true, signature: { kind: "clearsigned" } },
      keys: [{ file: `fedora-${version}.asc`, fingerprint: FEDORA_KEYS[version] as string }],
      boot: RHEL_BOOT,
      approxSizeMiB: 2600,
    },
    resources: large,
    packageFamily: "dnf",
    endOfLife: options.endOfLife,
    seedMatrix: options.seed,
  };
}

function rhelLike(
  family: "alma" | "rocky",
  version: string,
  fingerprint: string,
  options: Options & { signature: MediaInput["checksums"]["signature"] },
): DistributionInput {
  const alma = family === "alma";
  return {
    id: `${alma ? "almalinux" : "rocky"}-${version}`,
    name: `${alma ? "AlmaLinux" : "Rocky Linux"} ${version}`,
    version,
    family: "rhel",
    installer: "kickstart",
    media: {
      dirs: [alma ? `https://repo.almalinux.org/almalinux/${version}/isos/x86_64/` : `https://download.rockylinux.org/pub/rocky/${version}/isos/x86_64/`],
      iso: alma ? `AlmaLinux-${version}\\.\\d+-x86_64-dvd\\.iso` : `Rocky-${version}\\.\\d+-x86_64-dvd\\.iso`,
      checksums: { file: "CHECKSUM", signature: options.signature },
      keys: [{ file: `${alma ? "almalinux" : "rocky"}-${version}.asc`, fingerprint }],
      boot: RHEL_BOOT,
      approxSizeMiB: 10_500,
    },
    resources: large,
    packageFamily: "dnf",
    endOfLife: options.endOfLife,
    seedMatrix: options.seed,
  };
}

function rhel(version: string, options: Options): DistributionInput {
  return {
    id: `rhel-${version}`,
    name: `Red Hat Enterprise Linux ${version}`,
    version,
    family: "rhel",
    installer: "kickstart",
    media: {
      dirs: ["https://access.redhat.com/downloads/content/rhel"],
      iso: `rhel-${version}\\.\\d+-x86_64-dvd\\.iso`,
      checksums: { file: "none", signature: { kind: "none" } },
      keys: [],
      boot: RHEL_BOOT,
      approxSizeMiB: 10_500,
    },
    userProvided: {
      instructions: `RHEL ISOs need a Red Hat account: download rhel-${version}.x-x86_64-dvd.iso from https://access.redhat.com/downloads (a free developer subscription works), note its SHA-256 from that page, then run: msf iso fetch rhel-${version} --url file:///path/to/rhel-${version}.x-x86_64-dvd.iso --checksum sha256:<hex>`,
    },
    resources: large,
    packageFamily: "dnf",
    endOfLife: options.endOfLife,
    seedMatrix: options.seed,
  };
}

function leap(version: string, media: Pick<MediaInput, "dirs" | "iso" | "checksums">, options: Options): DistributionInput {
  return {
    id: `opensuse-${version}`,
    name: `openSUSE Leap ${version}`,
    version,
    family: "opensuse",
    installer: "autoyast",
    media: { ...media, keys: OPENSUSE, boot: { kernel: "/boot/x86_64/loader/linux", initrd: "/boot/x86_64/loader/initrd" }, approxSizeMiB: 4400 },
    resources: large,
    packageFamily: "zypper",
    endOfLife: options.endOfLife,
    seedMatrix: options.seed,
  };
}

// End of life: the last day of public security support the publisher documents (Debian: LTS;
// Ubuntu: standard support, not Ubuntu Pro; Fedora: four weeks after the release two versions on;
// RHEL and rebuilds: the end of maintenance support; openSUSE Leap: as extended). Where a publisher
// names only a month, its last day.
export const distributions: DistributionInput[] = [
  debian("11", "bullseye", "https://cdimage.debian.org/cdimage/archive/11.11.0/amd64/iso-cd/", { endOfLife: "2026-08-31", seed: true }),
  debian("12", "bookworm", "https://cdimage.debian.org/cdimage/archive/latest-oldstable/amd64/iso-cd/", { endOfLife: "2028-06-30", seed: true }),
  debian("13", "trixie", "https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/", { endOfLife: "2030-06-30" }),
  debianNext("testing", "forky"),
  debianNext("unstable", "sid"),
  ubuntu("20.04", 1500, { endOfLife: "2025-05-31", seed: true }),
  ubuntu("22.04", 2100, { endOfLife: "2027-06-30", seed: true }),
  ubuntu("24.04", 3100, { endOfLife: "2029-05-31", seed: true }),
  ubuntu("26.04", 3300, { endOfLife: "2031-04-30" }),
  fedora("38", { endOfLife: "2024-05-21", seed: true }),
  fedora("39", { endOfLife: "2024-11-26", seed: true }),
  fedora("40", { endOfLife: "2025-05-13", seed: true }),
  fedora("41", { endOfLife: "2025-12-15", seed: true }),
  fedora("42", { endOfLife: "2026-05-13" }),
  fedora("43", { endOfLife: "2026-12-09" }),
  fedora("44", { endOfLife: "2027-06-02" }),
  rhel("9", { endOfLife: "2032-05-31", seed: true }),
  rhel("10", { endOfLife: "2035-05-31" }),
  rhelLike("alma", "9", "BF18AC2876178908D6E71267D36CB86CB86B3716", { endOfLife: "2032-05-31", seed: true, signature: { kind: "clearsigned" } }),
  rhelLike("alma", "10", "EE6DB7B98F5BF5EDD9DA0DE5DEE5C11CC2A1E572", { endOfLife: "2035-05-31", signature: { kind: "clearsigned" } }),
  rhelLike("rocky", "9", "21CB256AE16FC54C6E652949702D426D350D275D", { endOfLife: "2032-05-31", seed: true, signature: { kind: "detached", suffix: ".sig" } }),
  rhelLike("rocky", "10", "FC226859C0860BF0DDB95B085B106C736FEDFC85", { endOfLife: "2035-05-31", signature: { kind: "detached", suffix: ".sig" } }),
  leap(
    "15.6",
    {
      dirs: ["https://download.opensuse.org/distribution/leap/15.6/iso/"],
      iso: "openSUSE-Leap-15\\.6-DVD-x86_64-Media\\.iso",
      checksums: { file: "openSUSE-Leap-15.6-DVD-x86_64-Media.iso.sha256", signature: { kind: "detached", suffix: ".asc" } },
    },
    { endOfLife: "2026-04-30", seed: true },
  ),
  leap(
    "16.0",
    {
      dirs: ["https://download.opensuse.org/distribution/leap/16.0/offline/"],
      iso: "Leap-16\\.0-offline-installer-x86_64[\\w.-]*\\.iso",
      checksums: { file: "Leap-16\\.0-offline-installer-x86_64[\\w.-]*\\.iso\\.sha256", pattern: true, signature: { kind: "detached", suffix: ".asc" } },
    },
    { endOfLife: "2027-10-31" },
  ),
];
