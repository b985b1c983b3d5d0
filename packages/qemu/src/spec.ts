import { z } from "zod";

export const DiskSchema = z.object({
  path: z.string().min(1),
  format: z.enum(["qcow2", "raw"]).default("qcow2"),
  interface: z.enum(["virtio", "ide"]).default("virtio"),
  media: z.enum(["disk", "cdrom"]).default("disk"),
  readOnly: z.boolean().default(false),
  /** unsafe: the guest's flushes are not written through (a throwaway overlay: no fsync cost, nothing kept if the host crashes). */
  cache: z.enum(["writeback", "unsafe"]).default("writeback"),
});

export const PortForwardSchema = z.object({
  /** What the port is for ("ssh", "smtp"...): the key in the launched machine's `ports`. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, "lowercase letters, digits and dashes"),
  protocol: z.enum(["tcp", "udp"]).default("tcp"),
  guestPort: z.number().int().min(1).max(65_535),
  /** 0 lets the host pick a free port, read back over QMP: never fixed, never raced. */
  hostPort: z.number().int().min(0).max(65_535).default(0),
});

export const BootSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("kernel"),
    kernel: z.string().min(1),
    initrd: z.string().min(1).optional(),
    append: z.string().default(""),
  }),
  z.object({
    kind: z.literal("firmware"),
    /** QEMU boot order letters: c = first disk, d = cdrom, n = network. */
    order: z
      .string()
      .regex(/^[cdn]+$/)
      .default("c"),
  }),
]);

export const FwCfgSchema = z.object({
  /** Guests read it at /sys/firmware/qemu_fw_cfg/by_name/<name>/raw. */
  name: z.string().regex(/^opt\/[A-Za-z0-9._/-]+$/, "must start with opt/"),
  file: z.string().min(1),
});

export const MachineSpecSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, "lowercase letters, digits, dots and dashes"),
  memoryMiB: z.number().int().min(128).max(1_048_576).default(1024),
  cpus: z.number().int().min(1).max(64).default(2),
  machine: z.enum(["q35", "pc"]).default("q35"),
  disks: z.array(DiskSchema).default([]),
  boot: BootSchema,
  forwards: z.array(PortForwardSchema).default([]),
  /** Everything the guest prints on its first serial port goes here. */
  serialLog: z.string().min(1),
  qmpSocket: z.string().min(1).max(107, "unix socket paths are limited to 107 bytes"),
  fwCfg: z.array(FwCfgSchema).default([]),
  /** Start paused, waiting for a saved state (restoreMachineState) instead of booting. */
  incoming: z.boolean().default(false),
});

export type MachineSpec = z.infer<typeof MachineSpecSchema>;
export type MachineSpecInput = z.input<typeof MachineSpecSchema>;
export type PortForward = z.infer<typeof PortForwardSchema>;

export const Accelerators = ["kvm", "tcg"] as const;
export type Accelerator = (typeof Accelerators)[number];
