import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, startWebhookReceiver, type WebhookReceiver } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// `msf alerts test` against a real webhook receiver on loopback.
const temp = makeTempDir();
const env = { ...process.env, MSF_HOME: join(temp.path, "home") };
let hook: WebhookReceiver;
let url = "";

beforeAll(async () => {
  hook = await startWebhookReceiver();
  url = `${hook.url}/hooks/SECRET-PART`;
});
afterAll(async () => {
  await hook.close();
  temp.remove();
});

const config = (name: string, text: string) => {
  const file = join(temp.path, name);
  writeFileSync(file, text);
  return file;
};

describe("msf alerts test", () => {
  it("sends a sample alert to each webhook and says which took it; a dead one is exit 17, named without its secret path", async () => {
    const good = config("good.yaml", `alerts:\n  webhooks:\n    - { url: "${url}" }\n    - { url: "${url}", format: slack }\n`);
    const run = await runMsfInProcess(["alerts", "test", "--config", good, "--json"], env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.last?.deliveries).toEqual([expect.objectContaining({ delivered: true }), expect.objectContaining({ delivered: true })]);
    expect(hook.received.map((r) => r.body)).toEqual([
      expect.objectContaining({ schemaVersion: 1, kind: "test", distro: "debian-12" }),
      { text: expect.stringMatching(/^\*msf: a test alert/) },
    ]);
    const dead = config("dead.yaml", `alerts:\n  attempts: 1\n  webhooks: [{ url: "http://127.0.0.1:9/hooks/SECRET-PART" }]\n`);
    const failed = await runMsfInProcess(["alerts", "test", "--config", dead, "--json"], env);
    expect(failed.code).toBe(17);
    expect(failed.last).toMatchObject({
      code: "ERR_MSF_ALERT_DELIVERY",
      message: expect.stringMatching(/FAILED {2}webhook http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/),
    });
    expect(failed.stdout).not.toContain("SECRET-PART");
  });

  it("with no channel configured, says how to add one (exit 3); a bad key is named", async () => {
    const none = await runMsfInProcess(["alerts", "test", "--config", config("none.yaml", "logLevel: info\n"), "--json"], env);
    expect(none.code).toBe(3);
    expect(none.last).toMatchObject({ code: "ERR_MSF_CONFIG", hint: expect.stringContaining("alerts.webhooks") });
    const bad = await runMsfInProcess(["alerts", "test", "--config", config("bad.yaml", 'alerts: { webhooks: [{ url: "not a url" }] }\n'), "--json"], env);
    expect(bad.code).toBe(3);
    expect(String(bad.last?.message)).toContain("alerts.webhooks.0.url");
  });
});
