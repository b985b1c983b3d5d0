import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AlertsConfigSchema } from "@msf/alerts";
import { MsfError } from "@msf/core";
import { afterFinishedRun, alertOnRun, buildServer, type RunLauncher } from "@msf/server";
import { createContext, type MsfContext } from "@msf/supervisor";
import { makeTempDir, startWebhookReceiver, type WebhookReceiver } from "@msf/test-utils";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInRun } from "./stand-in-runs.ts";

// What msf serve does on its own, over runs the real executor writes (stand-in steps): alerts after
// each finished run to a real webhook, retention, and runs on a cron schedule.
const temp = makeTempDir();
const ctx = createContext({ env: { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" } });
let hook: WebhookReceiver;
let app: FastifyInstance;

beforeAll(async () => {
  hook = await startWebhookReceiver();
  const alerts = AlertsConfigSchema.parse({
    dashboardUrl: "http://msf.test:8090",
    webhooks: [{ url: `${hook.url}/hooks/json` }, { url: "http://127.0.0.1:9/hooks/dead-SECRET" }],
    attempts: 1,
  });
  app = await buildServer({ ctx, loopback: true, background: { alerts, keepRuns: 1 } });
  await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await app?.close();
  await hook?.close();
  temp.remove();
});

describe("after each finished run", () => {
  it("alerts once per regression (not again while it still fails), then its fix; an undelivered alert is shown; old runs go", async () => {
    const pass = await standInRun(ctx);
    const fail = await standInRun(ctx, { failing: ["imap-login"] });
    await hook.waitFor(1);
    await standInRun(ctx, { failing: ["imap-login"] });
    const fixed = await standInRun(ctx);
    await hook.waitFor(2);
    await sleep(1_500); // a third alert would have come by now
    expect(hook.received.map((r) => r.body)).toEqual([
      expect.objectContaining({ kind: "regression", runId: fail.runId, lastGoodRunId: pass.runId, failing: [expect.objectContaining({ id: "imap-login" })] }),
      expect.objectContaining({
        kind: "fixed",
        runId: fixed.runId,
        links: { run: `http://msf.test:8090/runs/${fixed.runId}`, distro: "http://msf.test:8090/distros/debian-12" },
      }),
    ]);
    // The dead channel: recorded, listed by the API, shown on the dashboard, its secret path nowhere.
    const { deliveries } = (await (await app.inject({ url: "/api/v1/alerts" })).json()) as { deliveries: Array<{ delivered: boolean; channel: string }> };
    expect(deliveries.filter((d) => !d.delivered).map((d) => d.channel)).toEqual(["webhook http://127.0.0.1:9", "webhook http://127.0.0.1:9"]);
    const home = (await app.inject({ url: "/" })).body;
    expect(home).toMatch(/<section id="alert-failures"[^>]*>.*fixed of debian-12 .* did not reach webhook http:\/\/127\.0\.0\.1:9/s);
    expect(`${home}${JSON.stringify(deliveries)}`).not.toContain("SECRET");
    // Retention (keep 1): once fixed, the newest run is also the last good one, and no failure is newer.
    await sleep(1_000);
    expect(readdirSync(join(temp.path, "runs")).filter((id) => !id.startsWith("."))).toEqual([fixed.runId]);
  }, 90_000);
});

describe("scheduled runs", () => {
  it("start on the cron schedule; ticks while a run holds the state directory wait, once, for it to end", async () => {
    const starts: string[] = [];
    let locked = true;
    const launcher: RunLauncher = {
      start: async () => {
        if (locked) throw new MsfError("ERR_MSF_LOCKED", "a run holds the state directory");
        starts.push(`scheduled-${starts.length + 1}`);
        return { runId: starts.at(-1) as string };
      },
      cancel: () => false,
    };
    // Two ticks, two and three seconds from now (then not again for a minute).
    const second = (new Date().getSeconds() + 2) % 60;
    const home = makeTempDir();
    const homeCtx = createContext({ env: { ...process.env, MSF_HOME: home.path, MSF_LOG_LEVEL: "error" } });
    const scheduled = await buildServer({
      ctx: homeCtx,
      loopback: true,
      launcher,
      background: { schedule: { cron: `${second},${(second + 1) % 60} * * * * *` } },
    });
    try {
      await sleep(4_500);
      expect(starts).toEqual([]); // both ticks fell while "a run" held the lock
      locked = false;
      await standInRun(homeCtx); // that run ends
      await sleep(1_500);
      expect(starts).toEqual(["scheduled-1"]); // the queued run, once
    } finally {
      await scheduled.close();
      home.remove();
    }
  }, 60_000);
});

/** A state directory and a webhook receiver of the test's own, both gone after it. */
async function inOwnHome(test: (homeCtx: MsfContext, home: string, receiver: WebhookReceiver) => Promise<void>): Promise<void> {
  const home = makeTempDir();
  const receiver = await startWebhookReceiver();
  try {
    await test(createContext({ env: { ...process.env, MSF_HOME: home.path, MSF_LOG_LEVEL: "error" } }), home.path, receiver);
  } finally {
    await receiver.close();
    home.remove();
  }
}

describe("a run that finishes twice", () => {
  it(
    "does not send its alert again to a channel that has it",
    () =>
      inOwnHome(async (homeCtx, _home, receiver) => {
        await standInRun(homeCtx);
        const failed = await standInRun(homeCtx, { failing: ["imap-login"] });
        const alerts = AlertsConfigSchema.parse({ webhooks: [{ url: receiver.url }] });
        expect(await alertOnRun(homeCtx, alerts, failed.runId)).toEqual([expect.objectContaining({ kind: "regression", delivered: true })]);
        // Its journal says finished again (a resume): nothing new is sent or recorded.
        expect(await alertOnRun(homeCtx, alerts, failed.runId)).toEqual([]);
        expect(receiver.received).toHaveLength(1);
      }),
    30_000,
  );
});

describe("a server that falls behind", () => {
  it(
    "still alerts the fix when that run finished before retention ran for the one before it",
    () =>
      inOwnHome(async (homeCtx, home, receiver) => {
        const options = { alerts: AlertsConfigSchema.parse({ webhooks: [{ url: receiver.url }] }), keepRuns: 1 };
        await standInRun(homeCtx);
        await afterFinishedRun(homeCtx, options, (await standInRun(homeCtx, { failing: ["imap-login"] })).runId);
        // Two runs finish before the server gets to the first of them (a busy host).
        const stillFailing = await standInRun(homeCtx, { failing: ["imap-login"] });
        const fixed = await standInRun(homeCtx);
        await afterFinishedRun(homeCtx, options, stillFailing.runId);
        await afterFinishedRun(homeCtx, options, fixed.runId);
        expect(receiver.received.map((r) => (r.body as { kind: string }).kind)).toEqual(["regression", "fixed"]);
        expect(readdirSync(join(home, "runs")).filter((id) => !id.startsWith("."))).toEqual([fixed.runId]);
      }),
    30_000,
  );
});
