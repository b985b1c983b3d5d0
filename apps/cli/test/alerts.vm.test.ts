import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { qemuProcessesUnder, runMsf, startMsf, startWebhookReceiver, vmTestHome } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// Regression alerts from real runs of Debian 12 (the global setup's image): a pass, then a run whose
// site step stops Rspamd after the deploy, then a healthy one again; msf serve watches the runs and
// a real webhook receiver on loopback gets what it sends.
const home = vmTestHome();
afterAll(() => home.remove());
const qemuLeft = () => qemuProcessesUnder(home.home);

describe("msf serve alerts on real runs", () => {
  it("alerts a real regression once (Rspamd stopped after the deploy: the failing checks with their transcripts), then its fix", async () => {
    const hook = await startWebhookReceiver();
    const alerts = `alerts:\n  webhooks:\n    - { url: "${hook.url}/hooks/regressions" }\n`;
    const healthy = join(home.home, "alerts.yaml");
    const broken = join(home.home, "rspamd-stopped.yaml");
    writeFileSync(healthy, alerts);
    // A site's own step after the recipe that breaks the product: the checks must say so.
    writeFileSync(broken, `${alerts}afterDeploy:\n  - [systemctl, stop, rspamd]\n`);
    // The last good run, then msf serve watching the runs of this state directory for regressions.
    const first = await runMsf(["run", "--distro", "debian-12", "--offline", "--config", healthy, "--json"], home.env, 900_000);
    expect(first.code, first.stderr).toBe(0);
    const serve = startMsf(["serve", "--listen", "127.0.0.1:0", "--config", healthy, "--json"], home.env);
    await serve.waitFor((line) => line.type === "listening");
    try {
      const bad = await runMsf(["run", "--distro", "debian-12", "--offline", "--config", broken, "--json"], home.env, 900_000);
      expect(bad.code).toBe(12);
      await hook.waitFor(1, 120_000);
      const regression = hook.received[0]?.body as { kind: string; distro: string; failing: Array<{ id: string; transcript: string }> };
      expect(regression).toMatchObject({ schemaVersion: 1, kind: "regression", distro: "debian-12" });
      expect(regression.failing.map((c) => c.id)).toEqual(expect.arrayContaining(["readiness", "spam-gtube"]));
      expect(regression.failing.find((c) => c.id === "spam-gtube")?.transcript).toMatch(/250/);

      const good = await runMsf(["run", "--distro", "debian-12", "--offline", "--config", healthy, "--json"], home.env, 900_000);
      expect(good.code, good.stderr).toBe(0);
      await hook.waitFor(2, 120_000);
      expect(hook.received.map((r) => (r.body as { kind: string }).kind)).toEqual(["regression", "fixed"]);
      expect(hook.received.every((r) => r.path === "/hooks/regressions")).toBe(true);
    } finally {
      serve.child.kill("SIGINT");
      await serve.exited;
      await hook.close();
    }
    expect(qemuLeft()).toEqual([]);
  }, 1_800_000);
});
