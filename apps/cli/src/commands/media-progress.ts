import type { MediaEvent } from "@msf/iso";
import { bytes } from "../format.ts";
import type { Reporter } from "../reporters/index.ts";

/** Download and archive progress: a live bar on a terminal, a line every few seconds in logs, events with --json. */
export function mediaProgress(reporter: Reporter) {
  return (event: MediaEvent) => {
    reporter.event(event, describe(event));
    if (event.type !== "progress" || reporter.json) return;
    const eta = event.total && event.bytesPerSecond > 0 ? Math.round((event.total - event.received) / event.bytesPerSecond) : undefined;
    const fraction = event.total ? event.received / event.total : undefined;
    const line = `${event.file.slice(0, 40).padEnd(40)} ${fraction === undefined ? "    " : `${(fraction * 100).toFixed(0).padStart(3)}%`} ${bytes(event.received)}${event.total ? `/${bytes(event.total)}` : ""} ${bytes(event.bytesPerSecond)}/s${eta !== undefined ? ` ETA ${eta}s` : ""}`;
    reporter.progress(line, fraction, Boolean(event.total && event.received >= event.total));
  };
}

function describe(event: MediaEvent): string | undefined {
  switch (event.type) {
    case "resolved":
      return `${event.distro}: ${event.file} (checksums signed by ${event.signedBy ?? "-"})`;
    case "download-start":
      return event.resumeFrom > 0 ? `resuming ${event.file} at ${bytes(event.resumeFrom)}` : undefined;
    case "download-retry":
      return `  retry ${event.attempt} of ${event.file} in ${event.waitMs} ms: ${event.reason}`;
    case "mirror-failed":
      return `  ${event.url}: ${event.reason}; trying the next source`;
    case "netboot-step":
      return `  ${event.step}: ${event.detail}`;
    case "progress":
      return undefined;
  }
}
