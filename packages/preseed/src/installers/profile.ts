import { z } from "zod";

/**
 * One typed install profile; every installer config is rendered from it. No fixed password: login
 * is by SSH key; a password, when one is wanted (console rescue), is a per-run random one, hashed.
 */
export const InstallProfileSchema = z.object({
  hostname: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a host name (letters, digits, dashes)"),
  domain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "a domain such as msf.test"),
  locale: z.string().default("en_US.UTF-8"),
  keyboard: z.string().default("us"),
  timezone: z.string().default("UTC"),
  user: z.object({
    name: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a login name"),
    fullName: z.string().default("msf"),
    /** authorized_keys line for the user (and for root when rootLogin is "key"). */
    sshPublicKey: z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) \S+/, "an OpenSSH public key line"),
    /** SHA512-CRYPT of a per-run random password; absent: password login is off. */
    passwordHash: z.string().startsWith("$6$").optional(),
  }),
  rootLogin: z.enum(["key", "disabled"]).default("key"),
  disk: z
    .object({ device: z.string().default("/dev/vda"), layout: z.enum(["plain", "lvm"]).default("plain") })
    .default({ device: "/dev/vda", layout: "plain" }),
  /** Installed on top of the minimal system. */
  packages: z.array(z.string()).default(["openssh-server"]),
  mirror: z.object({ url: z.url().optional(), proxy: z.url().optional() }).default({}),
  /** Left at the distribution's default unless set. */
  selinux: z.enum(["default", "enforcing", "permissive", "disabled"]).default("default"),
  firewall: z.enum(["default", "enabled", "disabled"]).default("default"),
  /** Docker is never installed unless asked. */
  docker: z.boolean().default(false),
  /** The installed system's serial console: msf reads the boot from it. */
  console: z
    .string()
    .regex(/^tty[A-Za-z0-9]+(,\d+)?$/, "a kernel console such as ttyS0,115200")
    .default("ttyS0,115200"),
  /** What happens when the install is done: msf waits for QEMU to exit. */
  finish: z.literal("poweroff").default("poweroff"),
});

export type InstallProfile = z.infer<typeof InstallProfileSchema>;
export type InstallProfileInput = z.input<typeof InstallProfileSchema>;

/** The key used in the rendered configs committed under preseeds/ (a real run puts its own). */
export const PLACEHOLDER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLACEHOLDERPLACEHOLDERPLACEHOLDERPLACEHOLDE msf-placeholder";

export function placeholderProfile(overrides: Partial<InstallProfileInput> = {}): InstallProfile {
  return InstallProfileSchema.parse({ hostname: "msf-install", domain: "msf.test", user: { name: "msf", sshPublicKey: PLACEHOLDER_KEY }, ...overrides });
}
