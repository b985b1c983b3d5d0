import { readFile } from "node:fs/promises";

/** The catalog's armored public keys (packages/catalog/keys/*.asc, shipped with the package), by file name. */
export async function catalogKeys(files: string[]): Promise<string[]> {
  // src/ in a checkout, dist/ when installed: keys/ is their sibling either way.
  return Promise.all(files.map((file) => readFile(new URL(`../keys/${file}`, import.meta.url), "utf8")));
}
