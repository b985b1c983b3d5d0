import ssh2 from "ssh2";

export interface SshKeyPair {
  /** OpenSSH private key text (a secret: never log it). */
  privateKey: string;
  /** One authorized_keys line: `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
}

/** A fresh ed25519 key pair, made in-process (no ssh-keygen needed). */
export function generateKeyPair(comment: string): SshKeyPair {
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/** The key blob of an authorized_keys / known_hosts line, to compare with what a server presents. */
export function publicKeyBlob(publicKeyLine: string): Buffer {
  const base64 = publicKeyLine.trim().split(/\s+/)[1];
  if (!base64) throw new Error(`not an OpenSSH public key line: ${publicKeyLine.slice(0, 40)}`);
  return Buffer.from(base64, "base64");
}

/** A known_hosts line pinning `publicKeyLine` for host:port. */
export function knownHostsLine(host: string, port: number, publicKeyLine: string): string {
  const [type, base64] = publicKeyLine.trim().split(/\s+/);
  const target = port === 22 ? host : `[${host}]:${port}`;
  return `${target} ${type} ${base64}\n`;
}
