import type { Distribution } from "@msf/catalog";
import { FW_CFG } from "@msf/preseed";
import type { MachineSpecInput, StoredImage } from "@msf/qemu";
import type { VmCredentials } from "./credentials.ts";
import { GUEST_PORTS } from "./recipe.ts";

export interface VmSpecInput {
  name: string;
  distribution: Distribution;
  image: StoredImage;
  overlay: string;
  serialLog: string;
  qmpSocket: string;
  credentials: VmCredentials;
  memoryMiB?: number;
  cpus?: number;
}

/**
 * Pure: a VM of a golden image, booted from an overlay, SSH forwarded, keys via fw_cfg. Bootstrap
 * images carry their kernel (direct boot); installer-made ones boot through their own boot loader.
 */
export function vmMachineSpec(input: VmSpecInput): MachineSpecInput {
  const { image } = input;
  return {
    name: input.name,
    memoryMiB: input.memoryMiB ?? input.distribution.resources.memoryMiB,
    cpus: input.cpus ?? input.distribution.resources.cpus,
    // The overlay is thrown away when the VM ends: its writes need not survive a host crash (dpkg's fsyncs cost minutes under TCG).
    disks: [{ path: input.overlay, format: "qcow2", cache: "unsafe" }],
    boot: image.kernel
      ? { kind: "kernel", kernel: image.kernel, initrd: image.initrd, append: `${image.manifest.append} console=ttyS0,115200 panic=1` }
      : { kind: "firmware", order: "c" },
    forwards: Object.entries(GUEST_PORTS).map(([name, guestPort]) => ({ name, guestPort })),
    serialLog: input.serialLog,
    qmpSocket: input.qmpSocket,
    fwCfg: [
      { name: FW_CFG.authorizedKeys, file: input.credentials.authorizedKeysPath },
      { name: FW_CFG.hostKey, file: input.credentials.hostKeyPath },
    ],
  };
}
