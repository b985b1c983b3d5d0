import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildServer, type RunLauncher } from "@msf/server";
import { createContext } from "@msf/supervisor";
import { launchChromium, makeTempDir, SCREENSHOTS_DIR } from "@msf/test-utils";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInRun } from "./stand-in-runs.ts";

// The dashboard in Debian's Chromium (headless, nothing downloaded), over runs the real executor
// wrote. Screenshots of each page land in test-output/screenshots (a CI artifact).
const temp = makeTempDir();
const ctx = createContext({ env: { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" } });
let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await standInRun(ctx);
  await standInRun(ctx, { failing: ["imap-login"] });
  app = await buildServer({ ctx, loopback: true, launcher: inProcessLauncher() });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  temp.remove();
});

describe("the dashboard in a real browser", () => {
  it("renders the matrix of the newest results; the theme toggle switches light and dark", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    await page.goto(`${base}/`);
    expect(await page.locator("#matrix tbody tr").count()).toBe(1);
    expect(await page.locator("#matrix .cell").first().textContent()).toBe("failed (product)");
    expect(await page.locator("#matrix .new").getAttribute("title")).toBe("imap-login");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe("rgb(255, 255, 255)");
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "home-light.png") });
    await page.click("#theme");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await background()).toBe("rgb(13, 17, 23)");
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "home-dark.png") });
    // The choice outlives a reload.
    await page.reload();
    expect(await background()).toBe("rgb(13, 17, 23)");
    await page.goto(`${base}/runs`);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "runs.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a running run's page updates its tasks live through the event stream until the run ends", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let testStarted = () => {};
    const started = new Promise<void>((resolve) => {
      testStarted = resolve;
    });
    const running = standInRun(ctx, { gate, onTest: () => testStarted() });
    await started;
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
    await page.goto(`${base}/runs/latest`);
    const state = (task: string) => page.locator(`[data-task="${task}"] .state`);
    expect(await state("debian-12:test").textContent()).toBe("running");
    expect(await state("debian-12:collect").textContent()).toBe("pending");
    expect(await page.locator("#run-status").textContent()).toBe("running");
    expect(await page.locator("#log-tail").count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "run-live.png"), fullPage: true });

    release();
    await running;
    // No reload: the page follows the journal.
    await waitForText(page, "#run-status", "passed");
    expect(await state("debian-12:test").textContent()).toBe("done");
    expect(await state("debian-12:collect").textContent()).toBe("done");
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "run-finished.png"), fullPage: true });

    // Drawn again, the finished run lists its checks; one click shows a check's transcript.
    const finished = await page.evaluate(() => document.body.dataset.run as string);
    await page.reload();
    expect(await page.locator("#log-tail").count()).toBe(0);
    await page.click("#checks-debian-12 a >> text=imap-login");
    expect(await page.locator("#transcript").textContent()).toBe("C: imap-login");
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "check.png"), fullPage: true });
    await page.goto(`${base}/distros/debian-12`);
    expect(await page.locator("#trend rect").count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "distro.png"), fullPage: true });

    // Rerun one distribution of the run: a new run starts and its page opens; cancelled here.
    await page.goto(`${base}/runs/${finished}`);
    await page.click("button.rerun");
    await page.waitForURL((url) => /^\/runs\/\d{8}T\d{6}-[0-9a-f]{4}$/.test(url.pathname) && !url.pathname.endsWith(finished), { timeout: 15_000 });
    await page.click("#cancel");
    await waitForText(page, "#run-status", "interrupted");
    await page.close();
  }, 90_000);

  it("a run started from the page appears, follows its journal, and the cancel button ends it (interrupted)", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/`);
    await page.click("#start button[type=submit]");
    await page.waitForURL(/\/runs\/\d{8}T\d{6}-[0-9a-f]{4}$/, { timeout: 15_000 });
    const state = (task: string) => page.locator(`[data-task="${task}"] .state`);
    await waitForText(page, '[data-task="debian-12:test"] .state', "running");
    expect(await state("debian-12:boot").textContent()).toBe("done");
    await page.click("#cancel");
    await waitForText(page, "#run-status", "interrupted");
    expect(await state("debian-12:test").textContent()).toBe("interrupted");
    expect(await page.locator("#cancel").count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, "run-cancelled.png") });
    await page.close();
  }, 60_000);
});

/** Waits until the element says `text` (journal appends are fdatasync'd: slow when the disk is busy, e.g. beside an image build); on a timeout the error shows the page's tasks and the run's journal. */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.waitForFunction(([s, t]) => document.querySelector(s as string)?.textContent === t, [selector, text], { timeout: 30_000 });
  } catch (error) {
    const runId = await page.evaluate(() => document.body.dataset.run ?? "");
    const journal = runId ? readFileSync(join(temp.path, "runs", runId, "journal.ndjson"), "utf8") : "(no run)";
    throw new Error(`${selector} never said ${text}: ${(error as Error).message}\npage: ${await page.locator("main").textContent()}\njournal:\n${journal}`);
  }
}

/** Runs started from the page: the real executor with stand-in steps, whose test step waits until cancelled. */
function inProcessLauncher(): RunLauncher {
  const running = new Map<string, AbortController>();
  return {
    start: (request) =>
      new Promise((resolve, reject) => {
        // The start form sends the configured matrix; a rerun names its one distribution.
        expect([{}, { distros: ["debian-12"] }]).toContainEqual(request);
        const abort = new AbortController();
        const runCtx = createContext({ env: ctx.env, signal: abort.signal });
        // As a real step's processes do when the run is cancelled, the stand-in test step fails.
        const cancelled = new Promise<void>((_, fail) => abort.signal.addEventListener("abort", () => fail(new Error("cancelled"))));
        // Cancelled before its test step waits on it: not an unhandled rejection.
        cancelled.catch(() => undefined);
        standInRun(runCtx, {
          gate: cancelled,
          onPlanned: (runId) => {
            running.set(runId, abort);
            resolve({ runId });
          },
        }).catch(reject);
      }),
    cancel: (runId) => {
      running.get(runId)?.abort();
      return running.has(runId);
    },
  };
}
