import type { AddressInfo } from "node:net";
import { startWebhookReceiver, type WebhookReceiver } from "@msf/test-utils";
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

const mails: string[] = [];
let web: WebhookReceiver;
let smtp: SMTPServer;
let smtpPort = 0;

beforeAll(async () => {
  web = await startWebhookReceiver({ failures: 1 });
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
  await web.close();
  await new Promise((resolve) => smtp.close(() => resolve(undefined)));
});

describe("delivering an alert", () => {
  it("posts the versioned JSON and the Slack message (retrying a 503) and sends the email through the relay", async () => {
    const config = AlertsConfigSchema.parse({
      webhooks: [{ url: `${web.url}/hooks/json-SECRET` }, { url: `${web.url}/hooks/slack-SECRET`, format: "slack" }],
      email: { smtp: `smtp://127.0.0.1:${smtpPort}`, from: "msf@msf.test", to: ["ops@msf.test"] },
    });
    const deliveries = await deliverAlert(ALERT, config, { backoffMs: [50] });
    expect(deliveries.every((d) => d.delivered)).toBe(true);
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 1, 2]);
    expect(deliveries.map((d) => d.channel).join(" ")).not.toContain("SECRET");
    expect(web.received.find((r) => r.path.endsWith("json-SECRET"))?.body).toEqual(ALERT);
    expect(web.received.find((r) => r.path.endsWith("slack-SECRET"))?.body).toMatchObject({
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
