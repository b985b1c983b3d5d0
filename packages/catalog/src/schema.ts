import { z } from "zod";

export const InstallerKinds = ["bootstrap", "preseed", "autoinstall", "kickstart", "autoyast"] as const;

const KeySchema = z.object({
  /** An armored public key in packages/catalog/keys/. */
  file: z.string().regex(/^[a-z0-9.-]+\.asc$/),
  /** The key that must have signed the checksum file (primary or signing subkey). */
  fingerprint: z.string().regex(/^[0-9A-F]{40}$/, "40 upper-case hex digits"),
});

export const MediaSchema = z.object({
  /** Directories holding the ISO and its checksum file, in order of preference (the first is the main site). */
  dirs: z.array(z.url()).min(1),
  /** The ISO's name as a regular expression, matched against the checksum file (point releases change names). */
  iso: z.string(),
  checksums: z.object({
    /** The checksum file: its name, or with `pattern` a regular expression matched against the directory index. */
    file: z.string(),
    pattern: z.boolean().default(false),
    signature: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("clearsigned") }),
      z.object({ kind: z.literal("detached"), suffix: z.string() }),
      z.object({ kind: z.literal("none") }),
    ]),
  }),
  keys: z.array(KeySchema),
  /** The installer's kernel and initrd inside the ISO, for direct kernel boot. */
  boot: z.object({ kernel: z.string(), initrd: z.string() }),
  approxSizeMiB: z.number().int().positive(),
});
export type Media = z.infer<typeof MediaSchema>;
export type MediaInput = z.input<typeof MediaSchema>;

export const DistributionSchema = z.object({
  /** Stable id used everywhere: `debian-12`. */
  id: z.string().regex(/^[a-z][a-z0-9]*-([0-9][0-9.]*|testing|unstable)$/, "name-version, e.g. debian-12 or debian-testing"),
  name: z.string(),
  version: z.string(),
  family: z.enum(["debian", "ubuntu", "fedora", "rhel", "opensuse"]),
  /** How the distribution's own installer is driven from its media. */
  installer: z.enum(InstallerKinds),
  /** Install media; absent for distributions only built from their archive. */
  media: MediaSchema.optional(),
  /** No public download (RHEL): the user supplies the ISO; these are the instructions. */
  userProvided: z.object({ instructions: z.string() }).optional(),
  /** Also buildable from the package archive (mmdebstrap), no installer needed: msf's fast path. */
  bootstrap: z
    .object({
      /** The release suite (mmdebstrap's SUITE). */
      suite: z.string(),
      mirror: z.url(),
      /** The suites production adds to it: `-updates` on the mirror, `-security` on the security archive. */
      updates: z.array(z.object({ suite: z.string(), mirror: z.url() })).default([]),
    })
    .optional(),
  resources: z.object({
    memoryMiB: z.number().int().positive(),
    diskGiB: z.number().int().positive(),
    cpus: z.number().int().positive(),
    installTimeoutMinutes: z.number().positive(),
  }),
  /** Which package manager the mail-stack recipe uses. */
  packageFamily: z.enum(["apt", "dnf", "zypper"]),
  /**
   * The last day of public security support (LTS included, paid extended support not), as its
   * publisher documents it. Past it the distribution stays in the matrix, marked as ended.
   */
  endOfLife: z.iso.date().optional(),
  /** Debian testing and unstable: their packages change daily, so a verdict holds for the day it was made. */
  movingTarget: z.boolean().default(false),
  /** In the original 12-distribution matrix of Mail Server Factory. */
  seedMatrix: z.boolean().default(false),
});

export type Distribution = z.infer<typeof DistributionSchema>;
export type DistributionInput = z.input<typeof DistributionSchema>;
