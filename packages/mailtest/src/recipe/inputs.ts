import type { MailSetup } from "../config/accounts.ts";
import type { PackageFamily } from "./families.ts";

/** Everything the renderers need; plain data, so the rendered configs are a pure function of it. */
export interface StackInputs {
  family: PackageFamily;
  /** Dovecot's configuration format: 2.4 (Debian 13) differs from 2.3. */
  dovecot: "2.3" | "2.4";
  setup: MailSetup & { accounts: Array<MailSetup["accounts"][number] & { password: string }> };
  /** Password of the read-only PostgreSQL role Postfix and Dovecot use. Secret. */
  dbPassword: string;
  /** Keys the password-hash salts, so a redeploy with the same passwords writes the same hashes. Secret. */
  saltKey: string;
  /** Largest message accepted, in bytes. */
  messageSizeLimit: number;
  dkimSelector: string;
  /** Install signatures with freshclam (a host with internet) or ship only the bundled test signature. */
  freshclam: boolean;
  /**
   * The server runs under CPU emulation (QEMU TCG): Rspamd then matches URLs against the top-level
   * domains only, because compiling all ~9,800 public suffixes takes it minutes there.
   */
  emulated: boolean;
}

export const DEFAULT_MESSAGE_SIZE_LIMIT = 10 * 1024 * 1024;

type Given = "family" | "dovecot" | "setup" | "dbPassword" | "saltKey";

/** The renderers' inputs, the optional ones given their defaults (one place for all who render). */
export function stackInputs(input: Pick<StackInputs, Given> & Partial<Omit<StackInputs, Given>>): StackInputs {
  return {
    family: input.family,
    dovecot: input.dovecot,
    setup: input.setup,
    dbPassword: input.dbPassword,
    saltKey: input.saltKey,
    messageSizeLimit: input.messageSizeLimit ?? DEFAULT_MESSAGE_SIZE_LIMIT,
    dkimSelector: input.dkimSelector ?? "msf",
    freshclam: input.freshclam ?? false,
    emulated: input.emulated ?? false,
  };
}

/** Where the stack's shared pieces live in the guest. */
export const PATHS = {
  tlsCert: "/etc/msf/tls/cert.pem",
  tlsKey: "/etc/msf/tls/key.pem",
  mailRoot: "/var/mail/vhosts",
  dkimDir: "/var/lib/rspamd/dkim",
  postfixMaps: "/etc/postfix/pgsql",
} as const;

export const VMAIL = { user: "vmail", uid: 5000, gid: 5000 } as const;
export const DATABASE = { name: "mail", role: "mailreader" } as const;

/** A file msf manages in the guest: written only when its content or mode differs. */
export interface ManagedFile {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
  /** Holds a secret: never shown in logs, diagnostics or reports. */
  secret?: boolean;
}

export function file(path: string, content: string, options: Partial<Omit<ManagedFile, "path" | "content">> = {}): ManagedFile {
  return { path, content, mode: 0o644, owner: "root", group: "root", ...options };
}
