/**
 * Pure: an ASCII-armored OpenPGP key block to its binary packets, which is what gpgv reads as a
 * keyring. (Armor: header lines, a blank line, base64, an optional `=CRC` line, the footer.)
 */
export function dearmor(armored: string): Buffer {
  const blocks: Buffer[] = [];
  const pattern = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/g;
  for (const match of armored.matchAll(pattern)) {
    const lines = (match[1] as string).split(/\r?\n/);
    const blank = lines.findIndex((line) => line.trim() === "");
    const body = lines.slice(blank + 1).filter((line) => line.trim() && !line.startsWith("="));
    blocks.push(Buffer.from(body.join(""), "base64"));
  }
  if (blocks.length === 0) throw new Error("no PGP public key block in the key data");
  return Buffer.concat(blocks);
}
