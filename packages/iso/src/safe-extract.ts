import { lstat, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { MsfError } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { list } from "tar";

/** Pure: why an archive member's path is unsafe to take (absolute, or climbing out with `..`), if it is. */
export function unsafeMemberPath(path: string): string | undefined {
  if (path.startsWith("/")) return "an absolute path";
  if (path.split("/").includes("..")) return "a path with ..";
  return undefined;
}

/** Pure: a member path as the archive's own tree knows it (`./usr/lib/x` -> `usr/lib/x`). */
export function memberPath(path: string): string {
  return posix.normalize(path).replace(/^(\.\/)+/, "");
}

function unsafe(what: string, problem: string): MsfError {
  return new MsfError("ERR_MSF_UNSAFE_ARCHIVE", `${what}: ${problem}; nothing was taken from it`, {
    hint: "the archive is not what it should be; do not use it (try another mirror, or check where it came from)",
  });
}

/**
 * Copies the named regular files out of a tar archive, nothing else: msf writes each file itself,
 * so a symlink or hard link in the archive can never point a write (or a later read) at a host file.
 * Any member with an absolute path or `..` makes the whole archive refused; so does a wanted file
 * that is not a regular file.
 */
export async function takeFromTar(tarFile: string, wanted: Record<string, string>, options: { what: string; maxBytes?: number }): Promise<void> {
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  const found = new Map<string, Buffer[]>();
  const problems: string[] = [];
  await list({
    file: tarFile,
    onReadEntry: (entry) => {
      const problem = unsafeMemberPath(entry.path);
      if (problem) problems.push(`${entry.path} is ${problem}`);
      const path = memberPath(entry.path);
      if (!(path in wanted)) return;
      if (entry.type !== "File") return void problems.push(`${path} is a ${entry.type}, not a regular file`);
      if ((entry.size ?? 0) > maxBytes) return void problems.push(`${path} is larger than ${maxBytes} bytes`);
      const chunks: Buffer[] = [];
      found.set(path, chunks);
      entry.on("data", (chunk: Buffer) => chunks.push(chunk));
    },
  });
  if (problems.length) throw unsafe(options.what, problems.slice(0, 3).join("; "));
  for (const [inside, outside] of Object.entries(wanted)) {
    const chunks = found.get(inside);
    if (!chunks) throw new MsfError("ERR_MSF_NOT_FOUND", `${options.what} has no ${inside}`);
    await writeFile(outside, Buffer.concat(chunks));
  }
}

/** The named regular files of a .deb's file tree (dpkg-deb gives the tree as a tar; msf reads it). */
export async function takeFromDeb(supervisor: Supervisor, deb: string, wanted: Record<string, string>, what: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "msf-deb-"));
  try {
    const tarFile = join(work, "data.tar");
    // argv only: the shell sees "$1" and "$2", never the paths themselves.
    await supervisor.exec({
      name: "dpkg-deb",
      command: "sh",
      args: ["-c", 'exec dpkg-deb --fsys-tarfile "$1" > "$2"', "sh", deb, tarFile],
      timeoutMs: 300_000,
    });
    await takeFromTar(tarFile, wanted, { what });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Files just extracted by another tool (xorriso) must be plain files with one link: a symlink or hard link is removed and refused. */
export async function requireRegularFiles(paths: string[], what: string): Promise<void> {
  const problems: string[] = [];
  for (const path of paths) {
    const stats = await lstat(path).catch(() => undefined);
    if (!stats) problems.push(`${path} was not extracted`);
    else if (!stats.isFile()) problems.push(`${path} is not a regular file (a link?)`);
    else if (stats.nlink > 1) problems.push(`${path} is a hard link`);
  }
  if (problems.length) {
    await Promise.all(paths.map((path) => rm(path, { force: true })));
    throw unsafe(what, problems.join("; "));
  }
}
