import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Every package declares what it imports, and nothing else: src/ imports are dependencies,
// test/ imports (beyond those) devDependencies.
const root = join(import.meta.dirname, "..");
const packages = ["packages", "apps"].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)));

function files(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "golden" ? [] : files(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

function imported(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of files(dir)) {
    // `from "x"`, `import "x"` and `import("x")`: not `Buffer.from("...")`.
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/(?:\bfrom\s+|\bimport\s+|\bimport\()"([^".][^"]*)"/g)) {
      if (!specifier || !/^[@a-z]/.test(specifier) || specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
      const parts = specifier.split("/");
      names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string));
    }
  }
  return names;
}

describe("package dependencies", () => {
  for (const dir of packages) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    it(`${manifest.name} declares exactly what it imports`, () => {
      const own = imported(join(dir, "src"));
      own.delete(manifest.name);
      const forTests = imported(join(dir, "test"));
      for (const name of [...own, manifest.name, "vitest"]) forTests.delete(name);
      const deps = Object.keys(manifest.dependencies ?? {});
      const devDeps = Object.keys(manifest.devDependencies ?? {}).filter((name) => !name.startsWith("@types/"));
      expect({ missing: [...own].filter((n) => !deps.includes(n)).sort(), unused: deps.filter((n) => !own.has(n)).sort() }, "dependencies").toEqual({
        missing: [],
        unused: [],
      });
      expect({ missing: [...forTests].filter((n) => !deps.includes(n) && !devDeps.includes(n)).sort() }, "devDependencies").toEqual({ missing: [] });
    });
  }
});
