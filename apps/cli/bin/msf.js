#!/usr/bin/env node
// The msf command. In a checkout it runs the TypeScript sources directly (Node strips the types,
// and the "msf-source" export condition points every @msf/* package at its src/); installed from
// the registry (inside node_modules, where Node does not strip types) it runs the built files.
import { registerHooks } from "node:module";

if (import.meta.url.includes("/node_modules/")) {
  await import("../dist/bin.js");
} else {
  registerHooks({
    resolve: (specifier, context, next) => next(specifier, { ...context, conditions: [...context.conditions, "msf-source"] }),
  });
  await import("../src/bin.ts");
}
