import { buildQemuArgv, MachineSpecSchema, stateUris } from "@msf/qemu";
import { describe, expect, it } from "vitest";

const spec = MachineSpecSchema.parse({
  name: "debian-12",
  memoryMiB: 2048,
  cpus: 2,
  disks: [{ path: "/vms/debian-12/overlay.qcow2" }],
  boot: { kind: "kernel", kernel: "/images/vmlinuz", initrd: "/images/initrd.img", append: "root=/dev/vda rw console=ttyS0,115200 panic=1" },
  forwards: [
    { name: "ssh", guestPort: 22 },
    { name: "smtp", guestPort: 25, hostPort: 2525 },
  ],
  serialLog: "/vms/debian-12/serial.log",
  qmpSocket: "/vms/debian-12/qmp.sock",
  fwCfg: [{ name: "opt/msf/authorized_keys", file: "/vms/debian-12/authorized_keys" }],
});

describe("buildQemuArgv", () => {
  it("turns a kernel-boot spec into argv under TCG (golden)", async () => {
    await expect(`${JSON.stringify(buildQemuArgv(spec, "tcg"), null, 2)}\n`).toMatchFileSnapshot("golden/argv-kernel-tcg.json");
  });

  it("uses the host CPU only under KVM", () => {
    const kvm = buildQemuArgv(spec, "kvm");
    expect(kvm.slice(kvm.indexOf("-accel"), kvm.indexOf("-accel") + 4)).toEqual(["-accel", "kvm", "-cpu", "host"]);
    expect(buildQemuArgv(spec, "tcg")).not.toContain("host");
  });

  it("boots firmware from a cdrom read-only, and escapes commas in paths", async () => {
    const installer = MachineSpecSchema.parse({
      ...spec,
      disks: [
        { path: "/vms/a,b/disk.qcow2", cache: "unsafe" },
        { path: "/media/installer.iso", format: "raw", media: "cdrom", interface: "ide", readOnly: true },
      ],
      boot: { kind: "firmware", order: "dc" },
      forwards: [],
      fwCfg: [],
    });
    await expect(`${JSON.stringify(buildQemuArgv(installer, "tcg"), null, 2)}\n`).toMatchFileSnapshot("golden/argv-firmware-cdrom.json");
  });
});

describe("MachineSpecSchema", () => {
  it("fills defaults", () => {
    const minimal = MachineSpecSchema.parse({ name: "x", boot: { kind: "firmware" }, serialLog: "/s", qmpSocket: "/q" });
    expect(minimal).toMatchObject({ memoryMiB: 1024, cpus: 2, machine: "q35", disks: [], forwards: [], fwCfg: [] });
  });

  it("names the key and what was expected", () => {
    const bad = MachineSpecSchema.safeParse({ ...spec, name: "Debian 12", forwards: [{ name: "ssh", guestPort: 70_000 }], qmpSocket: `/${"x".repeat(120)}` });
    expect(bad.success).toBe(false);
    const issues = bad.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: lowercase letters/),
        expect.stringMatching(/^forwards\.0\.guestPort: /),
        expect.stringMatching(/^qmpSocket: unix socket paths are limited to 107 bytes/),
      ]),
    );
  });
});

describe("a machine that waits for a saved state", () => {
  it("starts with -incoming defer, and reads and writes the state through quoted exec: URIs", () => {
    expect(buildQemuArgv({ ...spec, incoming: true }, "tcg").slice(-2)).toEqual(["-incoming", "defer"]);
    expect(buildQemuArgv(spec, "tcg")).not.toContain("-incoming");
    expect(stateUris.save("/cache/snap shot/it's")).toBe("exec:cat > '/cache/snap shot/it'\\''s'");
    expect(stateUris.load("/cache/snapshots/state")).toBe("exec:cat /cache/snapshots/state");
  });
});
