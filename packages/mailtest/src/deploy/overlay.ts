import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { MsfError } from "@msf/core";
import type { ManagedFile } from "../recipe/inputs.ts";

// The user's own configuration laid over the recipe's: a directory that mirrors the server's file
// system from `/` (e.g. `my-etc/etc/dovecot/conf.d/90-local.conf`). It comes from elsewhere, so it is
// read with limits: regular text files only, no links, nothing outside /etc.

export const OVERLAY_LIMITS = { files: 200, bytes: 4 * 1024 * 1024 } as const;

/** Reads an overlay directory as files for the guest (root-owned, 0644), or says which entry is refused and why. */
export async function readOverlay(dir: string): Promise<ManagedFile[]> {
  const files: ManagedFile[] = [];
  let bytes = 0;
  const refuse = (path: string, why: string) =>
    new MsfError("ERR_MSF_CONFIG", `overlay ${dir}: ${path} ${why}`, { hint: "an overlay holds regular text files under etc/, laid over / in the guest" });
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const guestPath = `/${relative(dir, path).split(sep).join("/")}`;
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!entry.isFile()) throw refuse(guestPath, "is not a regular file (links and devices are refused)");
      if (!guestPath.startsWith("/etc/")) throw refuse(guestPath, "is outside /etc");
      if (files.length >= OVERLAY_LIMITS.files) throw refuse(guestPath, `is one file too many (at most ${OVERLAY_LIMITS.files})`);
      bytes += (await lstat(path)).size;
      if (bytes > OVERLAY_LIMITS.bytes) throw refuse(guestPath, `takes the overlay past ${OVERLAY_LIMITS.bytes} bytes`);
      const content = await readFile(path);
      const text = new TextDecoder("utf-8", { fatal: true });
      try {
        files.push({ path: guestPath, content: text.decode(content), mode: 0o644, owner: "root", group: "root" });
      } catch {
        throw refuse(guestPath, "is not UTF-8 text");
      }
    }
  };
  const top = await lstat(dir).catch(() => undefined);
  if (!top?.isDirectory())
    throw new MsfError("ERR_MSF_CONFIG", `overlay ${dir} is not a directory`, { hint: "give a directory that mirrors / (e.g. my-etc/etc/postfix/...)" });
  await walk(dir);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Pure: the services to restart so the overlay takes effect (by the configuration directory each file is in). */
export function overlayServices(files: readonly ManagedFile[]): string[] {
  const byDir: Array<[string, string]> = [
    ["/etc/postfix/", "postfix"],
    ["/etc/dovecot/", "dovecot"],
    ["/etc/rspamd/", "rspamd"],
    ["/etc/redis/", "redis-server"],
    ["/etc/clamav/", "clamav-daemon"],
  ];
  return byDir.filter(([prefix]) => files.some((f) => f.path.startsWith(prefix))).map(([, service]) => service);
}
