import { join } from "node:path";
import { connectRedis } from "@msf/queue";
import { makeTempDir, startMsf, startRedis, type TestRedis } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// msf worker, msf workers and msf run --queue against a real redis-server on its own port.
const temp = makeTempDir();
const env = { ...process.env, MSF_HOME: join(temp.path, "coordinator") };
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
  temp.remove();
});

describe("msf worker / msf workers / msf run --queue", () => {
  it("a worker registers what it offers, msf workers lists it, Ctrl-C takes it off the list", async () => {
    const worker = startMsf(["worker", "--queue", redis.url, "--id", "host-a", "--json"], { ...env, MSF_HOME: join(temp.path, "worker") });
    const ready = await worker.waitFor((line) => line.type === "worker-ready");
    expect(ready.worker).toMatchObject({ id: "host-a", accel: expect.stringMatching(/^(kvm|tcg)$/), slots: 1, holding: [] });
    const listed = await runMsfInProcess(["workers", "--queue", redis.url, "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.last?.workers).toEqual([expect.objectContaining({ id: "host-a", state: "idle" })]);
    // The coordinator's dashboard and API show it too.
    const serve = startMsf(["serve", "--queue", redis.url, "--listen", "127.0.0.1:0", "--json"], env);
    try {
      const { url } = (await serve.waitFor((line) => line.type === "listening")) as { url: string };
      const api = (await (await fetch(`${url}/api/v1/workers`)).json()) as { queue: boolean; workers: { id: string; state: string }[] };
      expect(api).toMatchObject({ queue: true, workers: [{ id: "host-a", state: "idle" }] });
      expect(await (await fetch(`${url}/workers`)).text()).toMatch(/<td>host-a<\/td>[\s\S]*idle/);
    } finally {
      serve.child.kill("SIGINT");
      await serve.exited;
    }
    // With KVM required and only this worker: the run says so at once instead of waiting.
    const tcgOnly = (ready.worker as { accel: string }).accel === "tcg";
    if (tcgOnly) {
      const kvm = await runMsfInProcess(["run", "--queue", redis.url, "--kvm-only", "--distro", "debian-12", "--offline", "--json"], env);
      expect(kvm.code).toBe(19);
      expect(kvm.last).toMatchObject({ code: "ERR_MSF_NO_WORKER", message: expect.stringContaining("no worker with KVM") });
    }
    worker.child.kill("SIGINT");
    expect(await worker.exited).toBe(0);
    const after = await runMsfInProcess(["workers", "--queue", redis.url, "--json"], env);
    expect(after.last?.workers).toEqual([]);
    // No worker at all: msf run fails fast (exit 19) with the command that fixes it.
    const none = await runMsfInProcess(["run", "--queue", redis.url, "--distro", "debian-12", "--offline", "--json"], env);
    expect(none.code).toBe(19);
    expect(none.last).toMatchObject({ code: "ERR_MSF_NO_WORKER", hint: expect.stringContaining("msf worker --queue") });
  }, 60_000);

  it("refuses a Redis that may evict keys (exit 18, naming the policy), a password on the command line, and a Redis that is not there", async () => {
    const connection = await connectRedis(redis.url);
    await connection.config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      const evicting = await runMsfInProcess(["worker", "--queue", redis.url, "--json"], env);
      expect(evicting.code).toBe(18);
      expect(evicting.last).toMatchObject({ code: "ERR_MSF_QUEUE", message: expect.stringContaining("maxmemory-policy allkeys-lru") });
    } finally {
      await connection.config("SET", "maxmemory-policy", "noeviction");
      await connection.quit();
    }
    const secret = await runMsfInProcess(["workers", "--queue", "redis://:hunter2@127.0.0.1:1", "--json"], env);
    expect(secret.code).toBe(2);
    expect(secret.stdout).not.toContain("hunter2");
    expect(secret.last).toMatchObject({ code: "ERR_MSF_USAGE", hint: expect.stringContaining("MSF_QUEUE") });
    const away = await runMsfInProcess(["workers", "--json"], { ...env, MSF_QUEUE: "redis://:hunter2@127.0.0.1:1" });
    expect(away.code).toBe(18);
    expect(away.last).toMatchObject({ message: "cannot reach Redis at redis://:***@127.0.0.1:1: ECONNREFUSED" });
  }, 60_000);
});
