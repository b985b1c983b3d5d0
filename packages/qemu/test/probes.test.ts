import { appendFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { machineProbes, type QmpClient, SerialTap } from "@msf/qemu";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
let tap: SerialTap | undefined;
afterEach(async () => {
  await tap?.stop();
  temp?.remove();
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the ssh-banner probe", () => {
  it("gives up as soon as the console says the guest's sshd failed to start, with that line", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "serial.log");
    writeFileSync(path, "[  OK  ] Reached target network.target - Network.\n");
    tap = new SerialTap(path);
    await tap.start();
    const ssh = { host: "127.0.0.1", port: await closedPort(), username: "root", privateKey: "" };
    const probes = machineProbes({ qmp: {} as QmpClient, tap, ssh });
    const controller = new AbortController();
    const probing = probes["ssh-banner"](controller.signal).catch((e: unknown) => e);
    setTimeout(() => appendFileSync(path, "[\x1b[0;1;31mFAILED\x1b[0m] Failed to start ssh.servic…\x1b[0m - OpenBSD Secure Shell server.\r\n"), 300);
    const outcome = await Promise.race([probing, new Promise((resolve) => setTimeout(resolve, 10_000, "still probing"))]);
    controller.abort();
    expect((outcome as Error).message).toBe(`sshd failed to start: [FAILED] Failed to start ssh.servic… - OpenBSD Secure Shell server.`);
  });
});
