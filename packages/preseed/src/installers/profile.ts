import { z } from "zod";

const KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];
const COMMENT_WORD = "[A-Za-z0-9@._+:=,/-]+";
const KEY_LINE = new RegExp(`^(\\S+) ([A-Za-z0-9+/]+={0,2})(?: (${COMMENT_WORD}(?: ${COMMENT_WORD})*))?$`);

/**
 * Pure: the problem with an authorized_keys line, if any. The whole line is checked (a known key
 * type, a base64 body whose own type name matches, a comment of plain words), because it ends up in
 * installer scripts: nothing in it may be able to mean anything to a shell, YAML or XML.
 */
export function publicKeyLineProblem(line: string): string | undefined {
  const match = KEY_LINE.exec(line);
  if (!match) return "expected `<type> <base64> [comment]`, the comment in letters, digits and @._+:=,/-";
  const [, type = "", body = ""] = match;
  if (!KEY_TYPES.includes(type)) return `unknown key type ${type.slice(0, 40)}`;
  const blob = Buffer.from(body, "base64");
  const inner = blob.length >= 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString("latin1") : "";
  if (inner !== type) return `the key's body is not a ${type} key`;
  return undefined;
}

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
    sshPublicKey: z.string().superRefine((line, ctx) => {
      const problem = publicKeyLineProblem(line);
      if (problem) ctx.addIssue({ code: "custom", message: `an OpenSSH public key line: ${problem}` });
    }),
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
