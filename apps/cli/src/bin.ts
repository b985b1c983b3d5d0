#!/usr/bin/env node
import { main } from "./main.ts";

// Ctrl-C (or SIGTERM) cancels the command: it ends its children and cleans up, then exits 130.
// A second Ctrl-C exits at once.
const controller = new AbortController();
let interrupted = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    controller.abort();
  });
}

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
