import { defineConfig, type Options } from "tsup";

/** The one build recipe of every package: ESM + .d.ts from src/index.ts. */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node22",
    dts: true,
    clean: true,
    sourcemap: true,
    ...overrides,
  });
}
