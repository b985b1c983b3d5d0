#!/usr/bin/env node
import { main } from "./main.ts";

// Ctrl-C (or SIGTERM) cancels the command: it ends its children and cleans up, then exits 130.
// A second Ctrl-C a moment later exits at once. One cancel can arrive twice within milliseconds
// (a process group signalled while coreutils `timeout`, msf's backstop around a supervised msf,
// forwards the same signal): that is still one cancel, not the second.
const SECOND_SIGNAL_AFTER_MS = 1_000;
const controller = new AbortController();
let firstSignalAt: number | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      controller.abort();
    } else if (Date.now() - firstSignalAt >= SECOND_SIGNAL_AFTER_MS) process.exit(130);
  });
}

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
