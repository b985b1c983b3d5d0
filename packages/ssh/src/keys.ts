import { generateKeyPairSync, randomBytes } from "node:crypto";

export interface SshKeyPair {
  /** OpenSSH private key text (a secret: never log it). */
  privateKey: string;
  /** One authorized_keys line: `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
}

const ED25519 = "ssh-ed25519";

/**
 * A fresh ed25519 key pair, made in-process (no ssh-keygen needed). Encoded here rather than by
 * ssh2's generateKeyPairSync, which drops a public key's leading zero byte (1 key in 256, which
 * OpenSSH then refuses: mscdex/ssh2#1390).
 */
export function generateKeyPair(comment: string): SshKeyPair {
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const publicKey = Buffer.from(jwk.x ?? "", "base64url");
  const seed = Buffer.from(jwk.d ?? "", "base64url");
  return openSshKeyPair(publicKey, seed, comment);
}

/** The OpenSSH encodings (PROTOCOL.key) of a raw 32-byte public key and 32-byte seed. */
function openSshKeyPair(publicKey: Buffer, seed: Buffer, comment: string): SshKeyPair {
  const checkInt = randomBytes(4);
  const publicBlob = Buffer.concat([sshString(ED25519), sshString(publicKey)]);
  const unpadded = Buffer.concat([checkInt, checkInt, publicBlob, sshString(Buffer.concat([seed, publicKey])), sshString(comment)]);
  // Padded with 1, 2, 3... to the cipher's block size (8 for "none").
  const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `${ED25519} ${publicBlob.toString("base64")} ${comment}`,
  };
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value) : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
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
