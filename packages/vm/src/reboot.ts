import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { MsfError } from "@msf/core";
import { requireDistribution } from "@msf/iso";
import { findImage, type StoredImage } from "@msf/qemu";
import { sh } from "@msf/ssh";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "./connect.ts";
import { readVmCredentials } from "./credentials.ts";
import { stopQemu } from "./down.ts";
import { requireRunningVm } from "./exec.ts";
import { withVmLock } from "./lock.ts";
import { bootOnce, type VmUpEvent, type VmUpResult } from "./up.ts";

export interface VmRebootOptions {
  name: string;
  /** How long the guest may take to power off (default 2 min, scaled). */
  graceMs?: number;
  lifetimeMs?: number;
  onEvent?: (event: VmUpEvent | { type: "guest-kernel"; release: string }) => void;
}

/** The largest kernel or initrd copied out of a guest. */
const MAX_BOOT_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Powers a running VM off and boots it again from its own disk, as the machine would boot itself:
 * same overlay, same keys. A VM whose image boots a kernel directly boots the newest kernel now
 * installed in the guest (after a release upgrade, the new release's), copied out of its /boot.
 */
export async function vmReboot(ctx: MsfContext, options: VmRebootOptions): Promise<VmUpResult> {
  return withVmLock(ctx, options.name, async () => {
    const state = await requireRunningVm(ctx, options.name);
    const image = await findImage(ctx.paths.images, state.distro, state.image.key);
    if (!image) throw new MsfError("ERR_MSF_NOT_FOUND", `the image ${state.image.key} of ${options.name} is gone`, { hint: "msf images list" });
    const bootImage = image.kernel ? await guestKernel(state, image, options.onEvent) : image;
    await stopQemu(ctx, state, options.graceMs ?? 120_000 * ctx.timeoutScale);
    return bootOnce(
      ctx,
      { name: options.name, lifetimeMs: options.lifetimeMs, onEvent: options.onEvent },
      {
        name: options.name,
        distribution: requireDistribution(state.distro),
        image: bootImage,
        built: false,
        accel: state.accel,
        dir: state.dir,
        credentials: await readVmCredentials(state.dir, state.ssh.hostKey),
        keepOverlay: true,
      },
    );
  });
}

/** The newest kernel in the guest's /boot and its initrd, copied into the VM's directory. */
async function guestKernel(state: Awaited<ReturnType<typeof requireRunningVm>>, image: StoredImage, onEvent: VmRebootOptions["onEvent"]): Promise<StoredImage> {
  const session = await connectVm(state, { timeoutMs: 30_000 });
  try {
    const listed = await session.exec(sh`ls /boot | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1`, { timeoutMs: 30_000 });
    const release = listed.stdout.trim();
    if (!/^[A-Za-z0-9._+-]+$/.test(release))
      throw new MsfError("ERR_MSF_VM_BOOT", `no kernel in ${state.name}'s /boot to boot (found ${JSON.stringify(release)})`);
    onEvent?.({ type: "guest-kernel", release });
    const dir = join(state.dir, "boot");
    await mkdir(dir, { recursive: true });
    const copy = async (remote: string, local: string) => {
      const out = createWriteStream(local, { mode: 0o644 });
      let bytes = 0;
      const result = await session.exec(["cat", remote], {
        timeoutMs: 300_000,
        maxOutputBytes: 65_536, // streamed to the file; the result keeps only a little
        onStdout: (chunk) => {
          bytes += chunk.length;
          if (bytes <= MAX_BOOT_FILE_BYTES) out.write(chunk);
        },
      });
      out.end();
      await finished(out);
      if (result.exitCode !== 0 || bytes === 0 || bytes > MAX_BOOT_FILE_BYTES) {
        throw new MsfError("ERR_MSF_VM_BOOT", `cannot copy ${remote} out of ${state.name} (exit ${result.exitCode}, ${bytes} bytes): ${result.stderr.trim()}`);
      }
      return local;
    };
    return {
      ...image,
      kernel: await copy(`/boot/vmlinuz-${release}`, join(dir, "vmlinuz")),
      initrd: await copy(`/boot/initrd.img-${release}`, join(dir, "initrd.img")),
    };
  } finally {
    session.close();
  }
}
