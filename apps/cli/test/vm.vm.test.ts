import { isProcessAlive, processGroupMembers } from "@msf/core";
import { runMsf, vmTestHome } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The user's path, end to end, through the real `msf` command: one VM shared by the checks.
const home = vmTestHome();
const msf = (...args: string[]) => runMsf(args, home.env);
interface UpResult {
  pid: number;
  ports: Record<string, number>;
  ssh: { port: number; keyPath: string };
  phases: Record<string, { atMs: number }>;
  readyMs: number;
}
interface ProcessJson {
  name: string;
  pid: number;
  rssBytes: number;
  cpuSeconds: number;
  timeoutLeftMs: number;
}
let up: Awaited<ReturnType<typeof msf>>;
let result: UpResult;

beforeAll(async () => {
  up = await msf("vm", "up", "debian-12", "--json", "--ttl", "20m");
  result = up.last as unknown as UpResult;
}, 600_000);

afterAll(async () => {
  if (result?.pid && isProcessAlive(result.pid)) await msf("vm", "down", "debian-12", "--grace", "5s");
  home.remove();
});

describe("msf vm up / ssh / ps / down on a real Debian 12 VM", () => {
  it("vm up --json prints one event per line and ends with the VM's endpoint and readiness times", () => {
    expect(up.code).toBe(0);
    expect(up.lines.every((line) => line.schemaVersion === 1 && typeof line.type === "string")).toBe(true);
    const phases = up.lines.filter((line) => line.type === "phase").map((line) => line.phase);
    expect(phases).toEqual(["process", "kernel", "ssh-banner", "ssh-auth", "system"]);
    expect(result).toMatchObject({ type: "result", name: "debian-12", distro: "debian-12", alreadyRunning: false, ssh: { host: "127.0.0.1", user: "root" } });
    expect(result.ssh.port).toBe(result.ports.ssh);
    expect(result.ssh.keyPath).toMatch(/id_ed25519$/);
    expect(Object.keys(result.phases)).toEqual(["process", "kernel", "ssh-banner", "ssh-auth", "system"]);
    expect(result.readyMs).toBe(result.phases.system?.atMs);
  });

  it("vm up again finds the running VM instead of starting another", async () => {
    const again = await msf("vm", "up", "debian-12", "--json");
    expect(again.code).toBe(0);
    expect(again.last).toMatchObject({ alreadyRunning: true, pid: result.pid, ports: result.ports });
  });

  it("vm ssh runs a command and passes its exit code through", async () => {
    const running = await msf("vm", "ssh", "debian-12", "--", "systemctl", "is-system-running");
    expect(running).toMatchObject({ code: 0, stdout: "running\n" });
    const failing = await msf("vm", "ssh", "debian-12", "echo oops >&2; exit 7");
    expect(failing.code).toBe(7);
    expect(failing.stderr).toContain("oops");
  });

  it("ps shows the VM's QEMU with cpu, memory and the time it has left", async () => {
    const ps = await msf("ps", "--json");
    const qemu = ((ps.last?.processes ?? []) as ProcessJson[]).find((p) => p.name === "qemu-debian-12");
    expect(qemu).toMatchObject({ pid: result.pid, state: "running", ownerPid: null, timeoutMs: 20 * 60_000 });
    expect(qemu?.rssBytes).toBeGreaterThan(100 * 2 ** 20);
    expect(qemu?.cpuSeconds).toBeGreaterThan(0);
    expect(qemu?.timeoutLeftMs).toBeGreaterThan(0);
    expect(qemu?.timeoutLeftMs).toBeLessThan(20 * 60_000);
  });

  it("vm down powers off through ACPI and leaves no QEMU and no record behind", async () => {
    const down = await msf("vm", "down", "debian-12", "--json");
    expect(down.code).toBe(0);
    expect(down.last).toMatchObject({ name: "debian-12", outcome: "powerdown" });
    expect(isProcessAlive(result.pid)).toBe(false);
    expect(processGroupMembers(result.pid)).toEqual([]);
    expect((await msf("ps", "--json")).last?.processes).toEqual([]);
    const list = await msf("vm", "list", "--json");
    expect(list.last?.vms).toEqual([expect.objectContaining({ name: "debian-12", status: "stopped", running: false })]);
    const ssh = await msf("vm", "ssh", "debian-12", "true");
    expect(ssh.code).toBe(4);
    expect(ssh.stderr).toContain("the VM debian-12 is not running");
  });
});
