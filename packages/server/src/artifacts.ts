import { readdir, realpath } from "node:fs/promises";
import { extname, isAbsolute, join, normalize, sep } from "node:path";

/** What a run directory may serve, by extension; anything else (keys, images, sockets) is never served. */
export const ARTIFACT_TYPES: Readonly<Record<string, string>> = {
  ".json": "application/json; charset=utf-8",
  ".ndjson": "application/x-ndjson; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Pure: the content type of a run-relative path, or why it is refused (escapes the run, or not an artifact). */
export function artifactType(relative: string): { type: string } | { refused: string } {
  const clean = normalize(relative);
  if (!relative || relative.includes("\0") || isAbsolute(relative) || clean === ".." || clean.startsWith(`..${sep}`)) {
    return { refused: "the path must stay inside the run directory" };
  }
  const type = ARTIFACT_TYPES[extname(clean).toLowerCase()];
  return type ? { type } : { refused: `only ${Object.keys(ARTIFACT_TYPES).join(" ")} files are served` };
}

/** The file's real path when it (after links) is inside the run directory; undefined otherwise or when missing. */
export async function resolveInside(runDir: string, relative: string): Promise<string | undefined> {
  const [root, file] = await Promise.all([realpath(runDir), realpath(`${runDir}${sep}${normalize(relative)}`).catch(() => undefined)]);
  return file?.startsWith(`${root}${sep}`) ? file : undefined;
}

/** The servable files under a run-relative directory (at most `limit`, run-relative paths); none when it is missing or outside. */
export async function listArtifacts(runDir: string, relativeDir: string, limit = 100): Promise<string[]> {
  const dir = await resolveInside(runDir, relativeDir);
  if (!dir) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(relativeDir, entry.parentPath.slice(dir.length), entry.name))
    .filter((relative) => "type" in artifactType(relative))
    .sort()
    .slice(0, limit);
}
