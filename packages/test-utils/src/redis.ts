import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./ports.ts";

export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGTERM: with AOF on, nothing acknowledged is lost) and starts it again on the same port and directory. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));

/** Debian's redis-server on 127.0.0.1, its own port and directory, AOF on, eviction off (what BullMQ needs). */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "msf-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction"];
    const started = spawn("redis-server", args, { stdio: "ignore" });
    child = started;
    for (let i = 0; !(await accepting(port)); i++) {
      if (started.exitCode !== null || i > 200) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(25);
    }
  };
  const stop = async () => {
    if (!child) return;
    child.kill("SIGTERM");
    await Promise.race([exited(child), sleep(5_000)]);
    child.kill("SIGKILL");
    await exited(child);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 1_000) {
      await stop();
      await sleep(downMs);
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
