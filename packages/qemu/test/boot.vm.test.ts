import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processGroupMembers, resolveMsfPaths } from "@msf/core";
import {
  defaultBudgets,
  diskTools,
  findImage,
  type LaunchedMachine,
  launchMachine,
  listImages,
  machineProbes,
  probeAccelerator,
  type ReadinessEvent,
  type ReadinessSummary,
  type StoredImage,
  stopMachine,
  waitForReadiness,
} from "@msf/qemu";
import { connectSsh, generateKeyPair, type SshSession } from "@msf/ssh";
import { createSupervisor, ProcessRegistry } from "@msf/supervisor";
import { vmTestHome } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// One booted VM shared by the checks of this file; the image comes from the run's global setup.
const home = vmTestHome();
const paths = resolveMsfPaths({ env: home.env });
const registry = new ProcessRegistry(paths.pids);
const supervisor = createSupervisor({ registry, logDir: join(home.home, "logs") });
const client = generateKeyPair("msf-test");
const host = generateKeyPair("msf-test-host");
let image: StoredImage;
let machine: LaunchedMachine;
let summary: ReadinessSummary;
let session: SshSession | undefined;
const events: ReadinessEvent[] = [];

beforeAll(async () => {
  // The bootstrap image (it has a kernel beside it); an installer test may have published another debian-12 image.
  const found = (await listImages(paths.images)).find((i) => i.manifest.distro === "debian-12" && i.kernel);
  if (!found?.kernel) throw new Error("the global setup did not leave a Debian 12 image");
  image = found;
  const kernel = found.kernel;
  const dir = join(home.home, "vm");
  mkdirSync(dir, { recursive: true });
  const overlay = join(dir, "overlay.qcow2");
  await diskTools(supervisor).overlay(image.disk, overlay);
  writeFileSync(join(dir, "authorized_keys"), `${client.publicKey}\n`);
  writeFileSync(join(dir, "host_key"), host.privateKey, { mode: 0o600 });
  machine = await launchMachine({
    supervisor,
    accel: "tcg",
    lifetimeMs: 15 * 60_000,
    spec: {
      name: "boot-test",
      disks: [{ path: overlay }],
      boot: { kind: "kernel", kernel, initrd: image.initrd, append: `${image.manifest.append} console=ttyS0,115200 panic=1` },
      forwards: [{ name: "ssh", guestPort: 22 }],
      serialLog: join(dir, "serial.log"),
      qmpSocket: join(dir, "qmp.sock"),
      fwCfg: [
        { name: "opt/msf/authorized_keys", file: join(dir, "authorized_keys") },
        { name: "opt/msf/ssh_host_ed25519_key", file: join(dir, "host_key") },
      ],
    },
  });
  summary = await waitForReadiness({
    name: "boot-test",
    startedAt: machine.startedAt,
    budgets: defaultBudgets("tcg"),
    probes: machineProbes({
      qmp: machine.qmp,
      tap: machine.tap,
      ssh: { host: "127.0.0.1", port: machine.ports.ssh as number, username: "root", privateKey: client.privateKey, hostKey: host.publicKey },
      onSession: (s) => {
        session = s;
      },
    }),
    exited: machine.exited,
    lastConsoleLines: () => machine.tap.lastLines(20),
    onEvent: (e) => events.push(e),
  });
}, 600_000);

afterAll(async () => {
  session?.close();
  if (machine && processGroupMembers(machine.process.pid).length) {
    machine.process.kill();
    await machine.exited;
  }
  await machine?.tap.stop();
  home.remove();
});

describe("a real Debian 12 VM from the bootstrap image", () => {
  it("boots from an overlay and reaches `system`, every phase timed and in order", () => {
    expect(events.filter((e) => e.type === "phase").map((e) => e.phase)).toEqual(["process", "kernel", "ssh-banner", "ssh-auth", "system"]);
    const atMs = Object.values(summary.phases).map((p) => p.atMs);
    expect(atMs).toEqual([...atMs].sort((a, b) => a - b));
    expect(summary.readyMs).toBe(summary.phases.system?.atMs);
    expect(machine.ports.ssh).toBeGreaterThan(0);
    expect(readFileSync(machine.spec.serialLog, "utf8")).toContain("Linux version");
  });

  it("runs commands over SSH as root with this VM's key, and pins its host key", async () => {
    const result = await session?.exec(["sh", "-c", "cat /etc/hostname; systemctl is-active ssh; cat /etc/ssh/ssh_host_ed25519_key.pub 2>/dev/null || true"], {
      timeoutMs: 30_000,
    });
    expect(result?.exitCode).toBe(0);
    expect(result?.stdout).toContain("msf-debian-12\nactive\n");
    const stranger = generateKeyPair("stranger");
    const refused = await connectSsh(
      { host: "127.0.0.1", port: machine.ports.ssh as number, username: "root", privateKey: client.privateKey, hostKey: stranger.publicKey },
      { timeoutMs: 15_000 },
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "ERR_MSF_SSH" });
    expect(String((refused as Error).message)).toMatch(/host key other than/);
    const badKey = await connectSsh(
      { host: "127.0.0.1", port: machine.ports.ssh as number, username: "root", privateKey: stranger.privateKey },
      { timeoutMs: 15_000 },
    ).catch((e: unknown) => e);
    expect(String((badKey as Error).message)).toMatch(/refused the key/);
  });

  it("powers off on QMP system_powerdown; no process, no record, golden image unchanged", async () => {
    session?.close();
    session = undefined;
    const qmpEvents: string[] = [];
    machine.qmp.on("event", (event) => qmpEvents.push(`${event.event}${event.data?.guest ? " (guest)" : ""}`));
    const outcome = await stopMachine({ qmp: machine.qmp, graceMs: 120_000, forceKill: async () => machine.process.kill() });
    expect(outcome).toBe("powerdown");
    expect(qmpEvents).toEqual(expect.arrayContaining(["POWERDOWN", "SHUTDOWN (guest)"]));
    const result = await machine.exited;
    expect(result.exitCode).toBe(0);
    expect(processGroupMembers(machine.process.pid)).toEqual([]);
    expect(await registry.list()).toEqual([]);
    expect(await findImage(paths.images, "debian-12", image.manifest.key, { verify: true })).toBeDefined();
  });
});

describe("accelerator probe with a real kernel", () => {
  it("sees a real kernel print under TCG within seconds (the signal the KVM probe waits for)", async () => {
    const verdict = await probeAccelerator({ supervisor, kernel: image.kernel, tryAccel: "tcg", devKvm: "/dev/null", timeoutMs: 20_000 });
    expect(verdict.accel).toBe("tcg");
    expect(verdict.reason).toMatch(/a kernel under tcg printed to its console in \d+ ms/);
  });

  it("falls back to TCG, saying why, when KVM cannot run the kernel", async () => {
    const verdict = await probeAccelerator({ supervisor, kernel: image.kernel, devKvm: "/dev/null", timeoutMs: 5_000 });
    const kvmUsable = verdict.reason.startsWith("a kernel under kvm printed");
    if (kvmUsable) expect(verdict.accel).toBe("kvm");
    else {
      expect(verdict.accel).toBe("tcg");
      expect(verdict.reason).toMatch(/QEMU could not start a guest with -accel kvm|printed nothing in 5000 ms/);
    }
    expect(verdict.conclusive).toBe(true);
  });

  it("needs no kernel to rule KVM out when /dev/kvm is missing", async () => {
    const verdict = await probeAccelerator({ supervisor, devKvm: "/nonexistent/kvm" });
    expect(verdict).toMatchObject({ accel: "tcg", conclusive: true, reason: "/nonexistent/kvm does not exist" });
  });
});
