import type { ManagedFile } from "../recipe/inputs.ts";

const BLOCK = 512;

/**
 * Pure: a POSIX ustar archive of in-memory files with their modes and owners, so a whole set of
 * config files (secrets included) reaches the guest in one `tar -x` over SSH stdin, never on a
 * command line.
 */
export function tarArchive(files: readonly ManagedFile[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of files) {
    const body = Buffer.from(entry.content, "utf8");
    parts.push(header(entry, body.length, mtime), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function header(entry: ManagedFile, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const path = entry.path.replace(/^\/+/, "");
  const [prefix, name] = splitPath(path);
  const put = (value: string, offset: number, length: number) => block.write(value, offset, length, "utf8");
  const octal = (value: number, offset: number, length: number) => put(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  put(name, 0, 100);
  octal(entry.mode & 0o7777, 100, 8);
  octal(0, 108, 8); // uid: the names below decide
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(mtime, 136, 12);
  put("        ", 148, 8); // checksum placeholder: spaces while summing
  put("0", 156, 1); // regular file
  put("ustar\u000000", 257, 8);
  put(entry.owner, 265, 32);
  put(entry.group, 297, 32);
  put(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  const cut = path.lastIndexOf("/", 155);
  if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new Error(`path too long for a tar header: ${path}`);
  return [path.slice(0, cut), path.slice(cut + 1)];
}
