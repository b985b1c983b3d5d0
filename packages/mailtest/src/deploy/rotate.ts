import { createPublicKey } from "node:crypto";
import { type SshSession, sh } from "@msf/ssh";
import { dovecotFiles } from "../recipe/dovecot.ts";
import { FAMILIES, type PackageFamily } from "../recipe/families.ts";
import { file, PATHS, type StackInputs, stackInputs } from "../recipe/inputs.ts";
import { postfixMapFiles } from "../recipe/postfix.ts";
import { dataSql, rolePasswordSql } from "../recipe/postgres.ts";
import { dkimKeyPath } from "../recipe/rspamd.ts";
import { Remote } from "./remote.ts";
import { newDkimKey } from "./steps.ts";
import { tarArchive, UNPACK_OVER_ROOT } from "./tar.ts";
import type { TlsMaterial } from "./tls.ts";

export interface RotateOptions {
  session: SshSession;
  family: PackageFamily;
  /** The Dovecot format the stack was deployed with (its deployment record says). */
  dovecot: StackInputs["dovecot"];
  /** Accounts with this VM's passwords. */
  setup: StackInputs["setup"];
  secrets: { dbPassword: string; saltKey: string };
  tls: TlsMaterial;
  emulated?: boolean;
  timeoutScale?: number;
  signal?: AbortSignal;
}

export interface RotateResult {
  /** DKIM TXT record per signing domain, of the new key. */
  dkim: Record<string, string>;
  changed: string[];
  durationMs: number;
}

/**
 * Pure: every file of the recipe that holds a secret, rendered with this VM's: the database password
 * in Postfix's maps and Dovecot's SQL configuration, the TLS key and certificate, the DKIM key.
 */
export function secretFiles(inputs: StackInputs, tls: Pick<TlsMaterial, "certPem" | "keyPem">, dkimKey: string) {
  const user = FAMILIES[inputs.family].rspamdUser;
  return [
    ...postfixMapFiles(inputs),
    ...dovecotFiles(inputs).filter((f) => f.secret),
    file(PATHS.tlsCert, tls.certPem),
    file(PATHS.tlsKey, tls.keyPem, { mode: 0o600, secret: true }),
    file(dkimKeyPath(inputs.setup.domain, inputs.dkimSelector), dkimKey, { mode: 0o600, owner: user, group: user, secret: true }),
  ];
}

/**
 * A deployed stack (a restored ready snapshot) given this VM's own secrets, and nothing else changed:
 * the secret files in one tar and the passwords in one psql run (at the same time), then Postfix and
 * Dovecot reload (Rspamd reads the DKIM key when it signs, and again once the file's time moves). What
 * a full deploy would write with these secrets, in three round trips instead of forty.
 */
export async function rotateMailSecrets(options: RotateOptions): Promise<RotateResult> {
  const started = Date.now();
  const remote = new Remote(options.session, { signal: options.signal, timeoutScale: options.timeoutScale });
  const inputs = stackInputs({ ...options, ...options.secrets });
  const dkimKey = await newDkimKey();
  const files = secretFiles(inputs, options.tls, dkimKey);
  await Promise.all([
    remote.run("rotate", [...UNPACK_OVER_ROOT], { input: tarArchive(files) }),
    remote.run("rotate", ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"], {
      input: rolePasswordSql(inputs) + dataSql(inputs),
    }),
  ]);
  await remote.run("rotate", sh`postfix reload 2>/dev/null && doveadm reload`);
  const publicKey = createPublicKey(dkimKey).export({ type: "spki", format: "der" }).toString("base64");
  return {
    dkim: { [inputs.setup.domain]: `v=DKIM1; k=rsa; p=${publicKey}` },
    changed: [...files.map((f) => f.path), "the passwords of the mail role and the mailboxes", "reloaded Postfix and Dovecot"],
    durationMs: Date.now() - started,
  };
}
