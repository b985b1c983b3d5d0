import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { catalogKeys } from "@msf/catalog";
import { MsfError, writeJsonAtomic } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import type { FetchEvent } from "./download.ts";
import { verifySigned } from "./gpg.ts";
import { fetchText } from "./http.ts";
import { takeFromDeb } from "./safe-extract.ts";
import type { MediaStore } from "./store.ts";
import { releaseChecksums } from "./suite-state.ts";

/** Pure: one package's stanza fields from a Packages index. */
export function packageStanza(packages: string, name: string): Record<string, string> | undefined {
  for (const stanza of packages.split(/\n\n+/)) {
    if (!stanza.startsWith(`Package: ${name}\n`)) continue;
    return Object.fromEntries(
      stanza
        .split("\n")
        .filter((line) => /^[A-Za-z0-9-]+: /.test(line))
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
    );
  }
  return undefined;
}

export interface ArchiveOptions {
  supervisor: Supervisor;
  store: MediaStore;
  mirror: string;
  suite: string;
  /** Groups the fetched files under a distribution in the cache manifest (for gc). */
  distro?: string;
  onEvent?: (event: FetchEvent | { type: "netboot-step"; step: string; detail: string }) => void;
  signal?: AbortSignal;
}

export interface NetbootOptions extends ArchiveOptions {
  /** Debian's major version (the package is debian-installer-<version>-netboot-amd64). */
  version: string;
  out: string;
}

export interface ArchivePackage {
  /** The verified .deb in the media cache. */
  path: string;
  /** Its stanza in the Packages index (Version, Depends...). */
  stanza: Record<string, string>;
  signedBy: string;
}

/**
 * Packages from the Debian archive, verified along its signed chain: InRelease (signature against
 * Debian's archive keys) -> Packages.xz (sha256 from InRelease) -> each .deb (sha256 from Packages).
 * `pick` chooses the package names once the index is known (e.g. the kernel a metapackage depends on).
 */
export async function fetchArchivePackages(
  options: ArchiveOptions,
  pick: (index: (name: string) => Record<string, string> | undefined) => string[],
): Promise<ArchivePackage[]> {
  const step = (name: string, detail: string) => options.onEvent?.({ type: "netboot-step", step: name, detail });
  const base = `${options.mirror.replace(/\/+$/, "")}/dists/${options.suite}`;
  const release = await verifySigned(options.supervisor, {
    text: await fetchText(`${base}/InRelease`, { signal: options.signal }),
    keys: await catalogKeys(["debian-archive.asc"]),
    what: `${base}/InRelease`,
  });
  const { fingerprint } = release;
  step("release", `InRelease signed by ${fingerprint}`);
  const index = releaseChecksums(release.text).get("main/binary-amd64/Packages.xz");
  if (!index) throw new MsfError("ERR_MSF_DOWNLOAD", `${base}/InRelease lists no main/binary-amd64/Packages.xz`);
  const packagesXz = await options.store.fetch({
    urls: [`${base}/main/binary-amd64/Packages.xz`],
    expected: { algo: "sha256", hex: index.hex },
    size: index.size,
    file: `Packages.xz (${options.suite})`,
    onEvent: options.onEvent,
    signal: options.signal,
  });
  step("packages", `Packages.xz sha256 ${index.hex.slice(0, 16)}... matches InRelease`);
  const packages = await options.supervisor.exec({
    name: "xz",
    command: "xz",
    args: ["-dc", packagesXz.path],
    timeoutMs: 120_000,
    maxBufferChars: 512_000_000,
  });
  const fetched: ArchivePackage[] = [];
  for (const name of pick((wanted) => packageStanza(packages.stdout, wanted))) {
    const stanza = packageStanza(packages.stdout, name);
    if (!stanza?.Filename || !stanza.SHA256) throw new MsfError("ERR_MSF_DOWNLOAD", `${name} is not in ${options.suite}'s Packages index`);
    const deb = await options.store.fetch({
      urls: [`${options.mirror.replace(/\/+$/, "")}/${stanza.Filename}`],
      expected: { algo: "sha256", hex: stanza.SHA256 },
      size: stanza.Size ? Number(stanza.Size) : undefined,
      file: basename(stanza.Filename),
      distro: options.distro,
      onEvent: options.onEvent,
      signal: options.signal,
    });
    step("package", `${basename(stanza.Filename)} sha256 matches Packages (${stanza.Version})`);
    fetched.push({ path: deb.path, stanza, signedBy: fingerprint });
  }
  return fetched;
}

/** The Debian installer's netboot kernel and initrd, from its package in the archive (verified chain). */
export async function fetchDebianNetboot(options: NetbootOptions): Promise<{ kernel: string; initrd: string; deb: string; signedBy: string }> {
  const name = `debian-installer-${options.version}-netboot-amd64`;
  const [deb] = await fetchArchivePackages({ distro: `debian-${options.version}`, ...options }, () => [name]);
  if (!deb) throw new MsfError("ERR_MSF_DOWNLOAD", `${name} was not fetched`);
  const inside = `usr/lib/debian-installer/images/${options.version}/amd64/text/debian-installer/amd64`;
  await mkdir(options.out, { recursive: true });
  const kernel = join(options.out, "vmlinuz");
  const initrd = join(options.out, "initrd.gz");
  await takeFromDeb(options.supervisor, deb.path, { [`${inside}/linux`]: kernel, [`${inside}/initrd.gz`]: initrd }, `${name} ${deb.stanza.Version}`);
  await writeJsonAtomic(join(options.out, "boot.json"), {
    kernel,
    initrd,
    source: `${name} ${deb.stanza.Version}`,
    deb: deb.stanza.SHA256,
    signedBy: deb.signedBy,
  });
  return { kernel, initrd, deb: deb.path, signedBy: deb.signedBy };
}
