import { createHash, createHmac } from "node:crypto";

export interface KnownHostKey {
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`... */
  type: string;
  blob: Buffer;
  /** `@revoked`: this key must never be accepted. */
  revoked: boolean;
}

/** Pure: OpenSSH's fingerprint of a host key blob, as `ssh-keygen -lf` and `ssh` print it (`SHA256:` + unpadded base64). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Pure: the name known_hosts uses for host:port (`host`, or `[host]:port` off port 22). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** A hashed entry (`|1|salt|hash`) names this host when HMAC-SHA1(salt, name) is the hash. */
function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split("|");
  if (!salt || !hash) return false;
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}

function namesMatch(field: string, name: string): boolean {
  if (field.startsWith("|1|")) return hashedMatches(field, name);
  // Exact names only (comma lists); wildcard and negated patterns are not trusted for a pin.
  return field.split(",").some((entry) => entry === name);
}

/**
 * Pure: the keys a known_hosts text holds for host:port (plain and hashed names, `@revoked`
 * marks). `@cert-authority` lines and malformed lines are skipped: msf pins keys, not CAs.
 */
export function knownHostKeys(text: string, host: string, port: number): KnownHostKey[] {
  const name = knownHostsName(host, port);
  const keys: KnownHostKey[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith("@") ? fields.shift() : undefined;
    if (marker === "@cert-authority") continue;
    const [names, type, base64] = fields;
    if (!names || !type || !base64 || !namesMatch(names, name)) continue;
    const blob = Buffer.from(base64, "base64");
    if (blob.length === 0) continue;
    keys.push({ type, blob, revoked: marker === "@revoked" });
  }
  return keys;
}

/** Pure: the ssh2 host key algorithms that can present a key of these types (so the server shows the key we know). */
export function hostKeyAlgorithmsFor(types: readonly string[]): string[] {
  return [...new Set(types.flatMap((type) => (type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type])))];
}

/** Pure: the type name inside a host key blob (its first SSH string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "";
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("latin1");
}
