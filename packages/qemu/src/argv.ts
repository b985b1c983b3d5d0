import type { Accelerator, MachineSpec } from "./spec.ts";

export const QEMU_BINARY = "qemu-system-x86_64";

/** The accelerator's flags and the CPU model that works with it (`-cpu host` needs KVM). */
export function acceleratorArgs(accel: Accelerator): string[] {
  return accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi", "-cpu", "max"];
}

/** QEMU option values escape a comma by doubling it. */
function optValue(value: string): string {
  return value.replaceAll(",", ",,");
}

/** Pure: a machine spec and an accelerator to QEMU's argv (without the binary). */
export function buildQemuArgv(spec: MachineSpec, accel: Accelerator): string[] {
  const argv = [
    "-name",
    `${spec.name},process=msf-${spec.name}`,
    "-machine",
    spec.machine,
    ...acceleratorArgs(accel),
    "-smp",
    String(spec.cpus),
    "-m",
    `${spec.memoryMiB}M`,
    "-nodefaults",
    "-display",
    "none",
    // A guest reboot or kernel panic ends QEMU instead of looping; the supervisor sees the exit.
    "-no-reboot",
    "-serial",
    `file:${optValue(spec.serialLog)}`,
    "-qmp",
    `unix:${optValue(spec.qmpSocket)},server=on,wait=off`,
  ];
  spec.disks.forEach((disk, index) => {
    const options = [`file=${optValue(disk.path)}`, `format=${disk.format}`, `if=${disk.interface}`, `media=${disk.media}`, `index=${index}`];
    if (disk.readOnly) options.push("readonly=on");
    if (disk.cache !== "writeback") options.push(`cache=${disk.cache}`);
    argv.push("-drive", options.join(","));
  });
  if (spec.boot.kind === "kernel") {
    argv.push("-kernel", spec.boot.kernel);
    if (spec.boot.initrd) argv.push("-initrd", spec.boot.initrd);
    if (spec.boot.append) argv.push("-append", spec.boot.append);
  } else {
    argv.push("-boot", `order=${spec.boot.order}`);
  }
  const hostfwd = spec.forwards.map((f) => `hostfwd=${f.protocol}:127.0.0.1:${f.hostPort}-:${f.guestPort}`);
  argv.push("-netdev", ["user", "id=net0", ...hostfwd].join(","), "-device", "virtio-net-pci,netdev=net0");
  // A restored snapshot gets a new generation id: the guest kernel (5.18 and later) reseeds its
  // random generator instead of going on from the saved state another restore shares.
  argv.push("-device", "virtio-rng-pci", "-device", "vmgenid,guid=auto");
  for (const entry of spec.fwCfg) argv.push("-fw_cfg", `name=${entry.name},file=${optValue(entry.file)}`);
  if (spec.incoming) argv.push("-incoming", "defer");
  return argv;
}
