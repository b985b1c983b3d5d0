import type { Distribution } from "@msf/catalog";
import { catalogKeys } from "@msf/catalog";
import { MsfError } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { looksClearsigned, verifySigned } from "./gpg.ts";
import { fetchBuffer, fetchText, joinUrl, linkedNames, newestMatch, SIGNATURE_MAX_BYTES } from "./http.ts";
import { type Checksum, checksumFor, parseSums } from "./sums.ts";

export interface ResolvedMedia {
  distro: string;
  /** The ISO's upstream name. */
  file: string;
  /** Where it can be downloaded, in order (mirrors). */
  urls: string[];
  expected: Checksum;
  /** The checksum file it came from, and the key that signed it. */
  checksumSource: string;
  signedBy?: string;
}

export interface ResolveOptions {
  supervisor: Supervisor;
  /** Tried before the catalog's directories (a mirror or a local copy with the same files). */
  mirror?: string;
  signal?: AbortSignal;
  /** Loads the armored keys a medium names (default: the catalog's key files). */
  loadKeys?: (files: string[]) => Promise<string[]>;
}

/**
 * A catalog entry's ISO: the checksum file found (by name or pattern), its signature verified
 * against the catalog's keys, the ISO's name and checksum read from it. Directories are tried in
 * order; a user-provided distribution (RHEL) fails with its instructions.
 */
export async function resolveMedia(distribution: Distribution, options: ResolveOptions): Promise<ResolvedMedia> {
  const media = distribution.media;
  if (!media || distribution.userProvided) {
    throw new MsfError("ERR_MSF_USER_MEDIA", `${distribution.name} has no public download`, {
      hint: distribution.userProvided?.instructions ?? `${distribution.id} is built from its archive (msf vm up ${distribution.id})`,
    });
  }
  const dirs = [...(options.mirror ? [options.mirror] : []), ...media.dirs];
  const failures: string[] = [];
  for (const dir of dirs) {
    try {
      const sumsName = media.checksums.pattern ? newestMatch(linkedNames(await fetchText(dir, options)), media.checksums.file) : media.checksums.file;
      if (!sumsName) throw new Error(`no file matching ${media.checksums.file} in the index`);
      const sumsUrl = joinUrl(dir, sumsName);
      const { text, signedBy } = await verifySums(options, distribution, sumsUrl, await fetchText(sumsUrl, options));
      const entries = parseSums(text);
      const file = newestMatch(
        entries.map((e) => e.file),
        media.iso,
      );
      const entry = file ? checksumFor(entries, file) : undefined;
      if (!file || !entry) throw new Error(`${sumsUrl} lists no file matching ${media.iso}`);
      return {
        distro: distribution.id,
        file,
        urls: dirs.slice(dirs.indexOf(dir)).map((d) => joinUrl(d, file)),
        expected: entry,
        checksumSource: sumsUrl,
        signedBy,
      };
    } catch (error) {
      if (error instanceof MsfError && error.code === "ERR_MSF_SIGNATURE") throw error; // never fall back past a bad signature
      failures.push(`${dir}: ${(error as Error).message}`);
    }
  }
  throw new MsfError("ERR_MSF_DOWNLOAD", `cannot resolve the media of ${distribution.id}:\n  ${failures.join("\n  ")}`, {
    hint: "check the network, or use --mirror (msf iso check-urls tests every catalog URL)",
  });
}

/** The checksum file's signed text (clearsigned, or with its detached signature), or the text itself when the catalog says it is unsigned. */
async function verifySums(options: ResolveOptions, distribution: Distribution, url: string, text: string): Promise<{ text: string; signedBy?: string }> {
  const media = distribution.media;
  if (!media || media.checksums.signature.kind === "none") return { text };
  // A clearsigned file carries its signature, whatever the catalog expected; otherwise fetch the detached one.
  let signature: Buffer | undefined;
  if (!looksClearsigned(text)) {
    if (media.checksums.signature.kind !== "detached") {
      throw new MsfError("ERR_MSF_SIGNATURE", `bad signature on ${url}: it should be clearsigned and is not`, { hint: "try another mirror (--mirror)" });
    }
    signature = await fetchBuffer(`${url}${media.checksums.signature.suffix}`, { signal: options.signal, maxBytes: SIGNATURE_MAX_BYTES });
  }
  const keys = await (options.loadKeys ?? catalogKeys)([...new Set(media.keys.map((k) => k.file))]);
  const verified = await verifySigned(options.supervisor, { text, signature, keys, fingerprints: media.keys.map((k) => k.fingerprint), what: url });
  return { text: verified.text, signedBy: verified.fingerprint };
}
