import { MsfError } from "@msf/core";

export type HashAlgorithm = "sha256" | "sha512" | "sha1" | "md5";

export interface Checksum {
  algo: HashAlgorithm;
  hex: string;
}

export interface ChecksumEntry extends Checksum {
  file: string;
}

const BY_LENGTH: Record<number, HashAlgorithm> = { 64: "sha256", 128: "sha512", 40: "sha1", 32: "md5" };

/**
 * Pure: every entry of a checksum file, whatever the format: GNU (`hash  file`, `hash *file`),
 * BSD (`SHA256 (file) = hash`), openSUSE's `.sha256`, Ubuntu's SHA256SUMS. Give it only text a
 * signature covers (`verifySigned`), or text the user chose to trust.
 */
export function parseSums(text: string): ChecksumEntry[] {
  const entries: ChecksumEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const bsd = /^(SHA256|SHA512|SHA1|MD5)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$/i.exec(line);
    if (bsd) {
      entries.push({ algo: (bsd[1] as string).toLowerCase() as HashAlgorithm, file: bsd[2] as string, hex: (bsd[3] as string).toLowerCase() });
      continue;
    }
    const gnu = /^([0-9a-fA-F]{32,128})\s+[ *]?(.+)$/.exec(line);
    const algo = gnu && BY_LENGTH[(gnu[1] as string).length];
    if (gnu && algo) entries.push({ algo, file: (gnu[2] as string).replace(/^\.\//, ""), hex: (gnu[1] as string).toLowerCase() });
  }
  return entries;
}

/** The strongest checksum listed for a file name (sha512 over sha256 over the rest). */
export function checksumFor(entries: ChecksumEntry[], file: string): ChecksumEntry | undefined {
  const rank: HashAlgorithm[] = ["sha512", "sha256", "sha1", "md5"];
  return entries.filter((e) => e.file === file).sort((a, b) => rank.indexOf(a.algo) - rank.indexOf(b.algo))[0];
}

const LENGTH: Record<HashAlgorithm, number> = { sha256: 64, sha512: 128, sha1: 40, md5: 32 };

/** `sha256:HEX` (or bare hex, the algorithm told by its length) to a checksum; errors name the expected form. */
export function parseChecksum(text: string): Checksum {
  const match = /^(?:(sha256|sha512|sha1|md5):)?([0-9a-fA-F]+)$/i.exec(text.trim());
  const hex = (match?.[2] ?? "").toLowerCase();
  const algo = (match?.[1]?.toLowerCase() as HashAlgorithm | undefined) ?? BY_LENGTH[hex.length];
  if (!match || !algo || hex.length !== LENGTH[algo]) {
    throw new MsfError("ERR_MSF_USAGE", `checksum ${text}: expected sha256:<64 hex digits> (or sha512:, sha1:, md5:)`);
  }
  return { algo, hex };
}
