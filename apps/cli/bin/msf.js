#!/usr/bin/env node
// The msf command. In a checkout it runs the TypeScript sources directly (Node strips the types,
// and the "msf-source" export condition points every @msf/* package at its src/); installed from
// the registry (inside node_modules, where Node does not strip types) it runs the built files.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`msf needs Node.js 22.18 or later; this is ${process.version}`);
  process.exit(1);
}

// Node keeps the compiled modules (and, in a checkout, the stripped TypeScript) in a cache on disk:
// every later msf starts about a quarter faster.
const { enableCompileCache, registerHooks } = await import("node:module");
enableCompileCache?.();

if (import.meta.url.includes("/node_modules/")) {
  await import("../dist/bin.js");
} else {
  registerHooks({
    resolve: (specifier, context, next) => next(specifier, { ...context, conditions: [...context.conditions, "msf-source"] }),
  });
  await import("../src/bin.ts");
}
