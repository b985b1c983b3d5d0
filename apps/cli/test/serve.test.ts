import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, runMsf, startMsf } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// `msf serve` as a user starts it: the real server on a loopback port, stopped with Ctrl-C.
const temp = makeTempDir();
afterAll(() => temp.remove());
const env = { ...process.env, MSF_HOME: temp.path, MSF_SERVE_TOKEN: "" };

describe("msf serve", () => {
  it("serves the dashboard and the API on loopback and stops cleanly on SIGINT", async () => {
    const serve = startMsf(["serve", "--listen", "127.0.0.1:0", "--json"], env);
    try {
      const { url } = (await serve.waitFor((line) => line.type === "listening")) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${url}/`)).text()).toContain("No runs yet");
      expect(await (await fetch(`${url}/api/v1/runs`)).json()).toEqual({ runs: [] });
    } finally {
      serve.child.kill("SIGINT");
    }
    expect(await serve.exited).toBe(0);
    expect(serve.lines.at(-1)).toMatchObject({ type: "result", stopped: true });
  });

  it("starts a real run on its schedule (the configured matrix, here one distribution with no image cached offline, which fails fast)", async () => {
    const home = join(temp.path, "scheduled");
    const config = join(temp.path, "scheduled.yaml");
    writeFileSync(config, "matrix: [debian-12]\nimages: { offline: true }\n");
    // Every ten seconds (croner takes a seconds field): the first tick comes soon after start-up.
    const serve = startMsf(["serve", "--listen", "127.0.0.1:0", "--schedule", "*/10 * * * * *", "--config", config, "--json"], { ...env, MSF_HOME: home });
    try {
      const listening = await serve.waitFor((line) => line.type === "listening");
      expect(listening).toMatchObject({ schedule: "*/10 * * * * *" });
      const { url } = listening as { url: string };
      let runs: Array<{ runId: string; status: string; matrix: string[] }> = [];
      for (let i = 0; i < 120 && !runs.some((r) => r.status !== "running"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        runs = ((await (await fetch(`${url}/api/v1/runs`)).json()) as { runs: typeof runs }).runs;
      }
      expect(runs).toEqual(expect.arrayContaining([expect.objectContaining({ matrix: ["debian-12"], status: "failed" })]));
    } finally {
      serve.child.kill("SIGINT");
    }
    expect(await serve.exited).toBe(0);
    const bad = await runMsf(["serve", "--listen", "127.0.0.1:0", "--schedule", "every day", "--json"], env, 30_000);
    expect(bad.code).toBe(3);
    expect(bad.last).toMatchObject({ code: "ERR_MSF_CONFIG", message: expect.stringContaining('schedule "every day"') });
  }, 90_000);

  it("refuses to listen beyond loopback without a token, and names the fix; a short token file is refused", async () => {
    const open = await runMsf(["serve", "--listen", "0.0.0.0:0", "--json"], env, 30_000);
    expect(open.code).not.toBe(0);
    expect(open.last).toMatchObject({ type: "error", code: "ERR_MSF_USAGE" });
    expect(String(open.last?.message)).toContain("needs a token");
    expect(String(open.last?.hint)).toContain("--token-file");

    const short = join(temp.path, "token");
    writeFileSync(short, "short\n");
    const refused = await runMsf(["serve", "--listen", "0.0.0.0:0", "--token-file", short, "--json"], env, 30_000);
    expect(refused.last).toMatchObject({ type: "error", code: "ERR_MSF_USAGE" });
    expect(String(refused.last?.message)).toContain("at least 16 characters");
  });
});
