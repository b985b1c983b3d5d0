import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SerialTap } from "@msf/qemu";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
let tap: SerialTap | undefined;
afterEach(async () => {
  await tap?.stop();
  temp?.remove();
});

describe("SerialTap", () => {
  it("follows the log as it grows, cleans escapes and matches prompts without a newline", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "serial.log");
    tap = new SerialTap(path);
    await tap.start();
    const first = tap.waitForOutput({ timeoutMs: 5_000 });
    const prompt = tap.waitForLine(/login:\s*$/, { timeoutMs: 5_000 });
    setTimeout(() => appendFileSync(path, "[    0.000000] Linux version 6.1.0\r\n"), 20);
    setTimeout(() => appendFileSync(path, "[\x1b[0;32m  OK  \x1b[0m] Started ssh.service\r\nmsf-debian-12 login: "), 60);
    expect(await first).toBeGreaterThan(0);
    expect(await prompt).toBe("msf-debian-12 login:");
    expect(tap.lastLines(3)).toEqual(["[    0.000000] Linux version 6.1.0", "[  OK  ] Started ssh.service", "msf-debian-12 login:"]);
  });

  it("finds a line that was already written", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "serial.log");
    writeFileSync(path, "Kernel panic - not syncing: VFS\n");
    tap = new SerialTap(path);
    await tap.start();
    expect(await tap.waitForLine(/Kernel panic/, { timeoutMs: 1_000 })).toContain("VFS");
  });

  it("times out with the last lines in the error", async () => {
    temp = makeTempDir();
    const path = join(temp.path, "serial.log");
    writeFileSync(path, "Loading initial ramdisk ...\n");
    tap = new SerialTap(path);
    await tap.start();
    const error = await tap.waitForLine(/login:/, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_TIMEOUT", details: { lastLines: ["Loading initial ramdisk ..."] } });
  });
});
