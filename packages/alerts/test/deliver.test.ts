import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Alert, AlertsConfigSchema, deliverAlert } from "../src/index.ts";

// Real channels on loopback: an HTTP server that fails its first answer, and an SMTP relay.
const ALERT: Alert = {
  schemaVersion: 1,
  id: "r1:debian-12:regression",
  kind: "regression",
  distro: "debian-12",
  name: "Debian 12",
  runId: "r1",
  lastGoodRunId: "r0",
  failing: [{ id: "imap-login", message: "NO", transcript: "C: LOGIN alice\nS: NO" }],
  packages: [{ name: "dovecot-core", from: "2.3", to: "2.4" }],
  links: { run: "http://msf.test/runs/r1", distro: "http://msf.test/distros/debian-12" },
};

const received: Array<{ path: string; body: unknown }> = [];
const mails: string[] = [];
let web: Server;
let webUrl = "";
let smtp: SMTPServer;
let smtpPort = 0;
let failures = 1;

const body = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString()) as unknown;
};

beforeAll(async () => {
  web = createServer(async (request, response) => {
    const parsed = await body(request);
    if (failures > 0) {
      failures -= 1;
      response.writeHead(503).end();
      return;
    }
    received.push({ path: request.url ?? "", body: parsed });
    response.writeHead(200).end("ok");
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, done) {
      let text = "";
      stream.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      stream.on("end", () => {
        mails.push(text);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => web.close(resolve));
  await new Promise((resolve) => smtp.close(() => resolve(undefined)));
});

describe("delivering an alert", () => {
  it("posts the versioned JSON and the Slack message (retrying a 503) and sends the email through the relay", async () => {
    const config = AlertsConfigSchema.parse({
      webhooks: [{ url: `${webUrl}/hooks/json-SECRET` }, { url: `${webUrl}/hooks/slack-SECRET`, format: "slack" }],
      email: { smtp: `smtp://127.0.0.1:${smtpPort}`, from: "msf@msf.test", to: ["ops@msf.test"] },
    });
    const deliveries = await deliverAlert(ALERT, config, { backoffMs: [50] });
    expect(deliveries.every((d) => d.delivered)).toBe(true);
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 1, 2]);
    expect(deliveries.map((d) => d.channel).join(" ")).not.toContain("SECRET");
    expect(received.find((r) => r.path.endsWith("json-SECRET"))?.body).toEqual(ALERT);
    expect(received.find((r) => r.path.endsWith("slack-SECRET"))?.body).toMatchObject({
      text: expect.stringMatching(/^\*msf: Debian 12 regressed in run r1: imap-login\*/),
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: msf: Debian 12 regressed in run r1: imap-login/);
    expect(mails[0]).toMatch(/dovecot-core 2\.3 -> 2\.4/);
  });

  it("a channel that never answers fails after its attempts, says why, and does not name the webhook's secret path", async () => {
    const config = AlertsConfigSchema.parse({ webhooks: [{ url: "http://127.0.0.1:9/hooks/T000-SECRET" }], attempts: 2 });
    const [delivery] = await deliverAlert(ALERT, config, { backoffMs: [10] });
    expect(delivery).toMatchObject({ delivered: false, attempts: 2, channel: "webhook http://127.0.0.1:9", error: expect.stringMatching(/ECONNREFUSED/) });
    expect(JSON.stringify(delivery)).not.toContain("SECRET");
  });

  it("refuses a relay URL with credentials in it, naming the key", () => {
    const bad = AlertsConfigSchema.safeParse({ email: { smtp: "smtp://user:pw@relay:25", from: "a@b.c", to: ["d@e.f"] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues.map((i) => i.path))).toContain('["email","smtp"]');
  });
});
