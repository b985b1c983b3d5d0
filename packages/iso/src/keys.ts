import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The catalog's armored public keys (packages/catalog/keys/*.asc), by file name. */
export async function catalogKeys(files: string[]): Promise<string[]> {
  const dir = fileURLToPath(new URL("../keys/", import.meta.resolve("@msf/catalog")));
  return Promise.all(files.map((file) => readFile(`${dir}${file}`, "utf8")));
}
