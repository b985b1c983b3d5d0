import { Header } from "tar";
import type { ManagedFile } from "../recipe/inputs.ts";

const BLOCK = 512;

/**
 * The guest's side of `tarArchive`: unpacked over /, modes and owners kept, existing directories left
 * as they are, each file's time the time it was written (-m): a daemon that reloads a file when its
 * time moves (Rspamd's cached DKIM key) must see a rotated one as new.
 */
export const UNPACK_OVER_ROOT = ["tar", "-x", "-m", "-p", "--same-owner", "--no-overwrite-dir", "-C", "/", "-f", "-"] as const;

/**
 * Pure: a ustar archive of in-memory files with their modes and owners (headers by node-tar), so a
 * whole set of config files (secrets included) reaches the guest in one `tar -x` over SSH stdin,
 * never on a command line.
 */
export function tarArchive(files: readonly ManagedFile[], mtime = new Date(0)): Buffer {
  const parts: Buffer[] = [];
  for (const entry of files) {
    const body = Buffer.from(entry.content, "utf8");
    const header = new Header({
      path: entry.path.replace(/^\/+/, ""),
      mode: entry.mode & 0o7777,
      uid: 0, // the names below decide
      gid: 0,
      uname: entry.owner,
      gname: entry.group,
      size: body.length,
      mtime,
      type: "File",
    });
    const block = Buffer.alloc(BLOCK);
    if (header.encode(block)) throw new Error(`${entry.path}: needs a pax header (path too long for ustar)`);
    parts.push(block, body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
