import { createHash, randomBytes } from "node:crypto";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// How SHA-crypt spreads the 64 digest bytes over the output: 21 triplets, then the last byte.
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

const sha512 = (...parts: Buffer[]) => {
  const hash = createHash("sha512");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** `count` bytes of `block` repeated. */
function stretch(block: Buffer, count: number): Buffer {
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i += block.length) block.copy(out, i, 0, Math.min(block.length, count - i));
  return out;
}

/**
 * SHA512-CRYPT (`$6$`, Drepper's SHA-crypt), the scheme Dovecot calls SHA512-CRYPT and glibc's
 * crypt(3) verifies: made in-process, so a password never crosses to the guest, only its hash.
 */
export function sha512Crypt(password: string, salt: string, rounds = 5000): string {
  const p = Buffer.from(password, "utf8");
  const s = Buffer.from(salt.slice(0, 16), "utf8");
  const b = sha512(p, s, p);
  const a = createHash("sha512").update(p).update(s);
  let i = p.length;
  for (; i > 64; i -= 64) a.update(b);
  a.update(b.subarray(0, i));
  for (i = p.length; i > 0; i >>= 1) a.update(i & 1 ? b : p);
  let c = a.digest();
  const pSeq = stretch(sha512(...Array<Buffer>(p.length).fill(p)), p.length);
  const sSeq = stretch(sha512(...Array<Buffer>(16 + (c[0] as number)).fill(s)), s.length);
  for (let r = 0; r < rounds; r++) {
    const h = createHash("sha512");
    h.update(r & 1 ? pSeq : c);
    if (r % 3) h.update(sSeq);
    if (r % 7) h.update(pSeq);
    h.update(r & 1 ? c : pSeq);
    c = h.digest();
  }
  let out = "";
  const encode = (b2: number, b1: number, b0: number, n: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let k = 0; k < n; k++, w >>= 6) out += ITOA64[w & 0x3f];
  };
  for (const [x, y, z] of ORDER) encode(c[x] as number, c[y] as number, c[z] as number, 4);
  encode(0, 0, c[63] as number, 2);
  return `$6$${rounds === 5000 ? "" : `rounds=${rounds}$`}${s.toString("utf8")}$${out}`;
}

/** A hash with a fresh random salt. */
export function hashPassword(password: string): string {
  const bytes = randomBytes(16);
  const salt = Array.from(bytes, (byte) => ITOA64[byte & 0x3f]).join("");
  return sha512Crypt(password, salt);
}

/** A per-run password: 24 characters, 143 bits, safe in any config file. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
