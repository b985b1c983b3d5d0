import { join } from "node:path";
import { QEMU_BINARY, QmpClient, type QmpEvent, queryStatus } from "@msf/qemu";
import { start } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

/** A real QEMU with no guest at all: starts in milliseconds, speaks real QMP. */
async function bareQemu(socket: string) {
  return start({
    name: "qemu-bare",
    command: QEMU_BINARY,
    args: ["-machine", "none", "-nodefaults", "-display", "none", "-qmp", `unix:${socket},server=on,wait=off`],
    timeoutMs: 30_000,
  });
}

describe("QmpClient against a real QEMU", () => {
  it("handshakes, queries status, receives events, and sees QEMU exit after quit", async () => {
    temp = makeTempDir();
    const socket = join(temp.path, "qmp.sock");
    const qemu = await bareQemu(socket);
    const qmp = await QmpClient.connect(socket, { timeoutMs: 10_000 });
    expect(await queryStatus(qmp)).toMatchObject({ status: expect.any(String) });
    const events: QmpEvent[] = [];
    qmp.on("event", (e) => events.push(e));
    const shutdown = qmp.waitForEvent("SHUTDOWN", 10_000);
    await qmp.execute("quit");
    expect((await shutdown).data).toMatchObject({ guest: false });
    await qmp.closed;
    expect(qmp.isOpen).toBe(false);
    expect((await qemu.result).exitCode).toBe(0);
    await expect(qmp.execute("query-status")).rejects.toMatchObject({ code: "ERR_MSF_QMP" });
  });

  it("turns an error reply into a QmpError", async () => {
    temp = makeTempDir();
    const socket = join(temp.path, "qmp.sock");
    const qemu = await bareQemu(socket);
    const qmp = await QmpClient.connect(socket, { timeoutMs: 10_000 });
    await expect(qmp.execute("no-such-command")).rejects.toThrow(/QMP CommandNotFound/);
    qmp.close();
    qemu.kill();
    await qemu.result;
  });

  it("gives up on a socket that never appears", async () => {
    temp = makeTempDir();
    await expect(QmpClient.connect(join(temp.path, "missing.sock"), { timeoutMs: 300 })).rejects.toMatchObject({ code: "ERR_MSF_TIMEOUT" });
  });
});
