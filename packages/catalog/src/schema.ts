import { z } from "zod";

export const InstallerKinds = ["bootstrap", "preseed", "autoinstall", "kickstart", "autoyast"] as const;

export const DistributionSchema = z.object({
  /** Stable id used everywhere: `debian-12`. */
  id: z.string().regex(/^[a-z][a-z0-9]*-[0-9][0-9.]*$/, "name-version, e.g. debian-12"),
  name: z.string(),
  version: z.string(),
  family: z.enum(["debian", "ubuntu", "fedora", "rhel", "opensuse"]),
  /** How msf installs it by default. */
  installer: z.enum(InstallerKinds),
  /** Built from the distribution's package archive (mmdebstrap), no installer media needed. */
  bootstrap: z
    .object({
      suite: z.string(),
      mirror: z.url(),
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
  /** Past its end of life: kept in the matrix, marked as such. */
  endOfLife: z.boolean().default(false),
});

export type Distribution = z.infer<typeof DistributionSchema>;
export type DistributionInput = z.input<typeof DistributionSchema>;
