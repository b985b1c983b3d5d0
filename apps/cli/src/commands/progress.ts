import type { FetchEvent } from "@msf/iso";
import { bytes } from "../format.ts";
import type { Reporter } from "../reporter.ts";

/** Download progress: a live bar on a terminal, a line every few seconds otherwise, events with --json. */
export function progressPrinter(reporter: Reporter, tty = Boolean(process.stderr.isTTY)) {
  let lastPlain = 0;
  return (event: FetchEvent | { type: string; [key: string]: unknown }) => {
    if (event.type !== "progress") {
      reporter.event(event, describe(event));
      return;
    }
    const p = event as Extract<FetchEvent, { type: "progress" }>;
    if (reporter.json) {
      reporter.event(p);
      return;
    }
    const done = p.total ? p.received / p.total : 0;
    const eta = p.total && p.bytesPerSecond > 0 ? Math.round((p.total - p.received) / p.bytesPerSecond) : undefined;
    const line = `${p.file.slice(0, 40).padEnd(40)} ${p.total ? `${(done * 100).toFixed(0).padStart(3)}%` : "    "} ${bytes(p.received)}${p.total ? `/${bytes(p.total)}` : ""} ${bytes(p.bytesPerSecond)}/s${eta !== undefined ? ` ETA ${eta}s` : ""}`;
    if (tty) {
      const width = 20;
      const bar = `[${"#".repeat(Math.round(done * width)).padEnd(width, ".")}]`;
      process.stderr.write(`\r${bar} ${line}\x1b[K${p.total && p.received >= p.total ? "\n" : ""}`);
    } else if (Date.now() - lastPlain > 5_000 || (p.total && p.received >= p.total)) {
      lastPlain = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

function describe(event: { type: string; [key: string]: unknown }): string | undefined {
  switch (event.type) {
    case "resolved":
      return `${event.distro}: ${event.file} (checksums signed by ${event.signedBy ?? "-"})`;
    case "download-start":
      return Number(event.resumeFrom) > 0 ? `resuming ${event.file} at ${bytes(Number(event.resumeFrom))}` : undefined;
    case "download-retry":
      return `  retry ${event.attempt} of ${event.file} in ${event.waitMs} ms: ${event.reason}`;
    case "mirror-failed":
      return `  ${event.url}: ${event.reason}; trying the next source`;
    case "netboot-step":
      return `  ${event.step}: ${event.detail}`;
    default:
      return undefined;
  }
}
