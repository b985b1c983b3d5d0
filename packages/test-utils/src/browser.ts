import { type Browser, chromium } from "playwright-core";

/** Where the suite keeps its screenshots (a CI artifact; gitignored). */
export const SCREENSHOTS_DIR = new URL("../../../test-output/screenshots", import.meta.url).pathname;

/**
 * Debian's Chromium, headless, through playwright-core (nothing downloaded). As root it needs
 * --no-sandbox; the rest keeps it off the network this machine does not have.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
