import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { publishImage, type StoredImage } from "@msf/qemu";

const run = (command: string, args: string[]) => execFileSync(command, args, { timeout: 300_000, stdio: ["ignore", "pipe", "pipe"] }).toString();

/**
 * What an installer leaves behind, made from a bootstrap image: a disk that boots through its own
 * boot loader (EXTLINUX in the ext4 volume's boot sector) with no kernel beside it, so msf must
 * boot it by firmware. Needs root and a loop device (CI runs as root).
 */
export async function firmwareBootableImage(source: StoredImage, imagesDir: string): Promise<StoredImage> {
  mkdirSync(imagesDir, { recursive: true });
  const work = mkdtempSync(join(imagesDir, ".fixture-"));
  const raw = join(work, "disk.raw");
  const mnt = join(work, "mnt");
  let loop: string | undefined;
  try {
    run("qemu-img", ["convert", "-O", "raw", source.disk, raw]);
    loop = run("losetup", ["--find", "--show", raw]).trim();
    mkdirSync(mnt);
    run("mount", [loop, mnt]);
    try {
      const boot = readdirSync(join(mnt, "boot"));
      const kernel = boot.find((name) => name.startsWith("vmlinuz-"));
      const initrd = boot.find((name) => name.startsWith("initrd.img-"));
      if (!kernel || !initrd) throw new Error(`no kernel in ${source.disk}`);
      mkdirSync(join(mnt, "boot/extlinux"), { recursive: true });
      const config = [
        "SERIAL 0 115200",
        "DEFAULT linux",
        "LABEL linux",
        `  LINUX /boot/${kernel}`,
        `  INITRD /boot/${initrd}`,
        "  APPEND root=/dev/vda rw console=ttyS0,115200",
        "",
      ];
      writeFileSync(join(mnt, "boot/extlinux/extlinux.conf"), config.join("\n"));
      run("extlinux", ["--install", join(mnt, "boot/extlinux")]);
    } finally {
      run("umount", [mnt]);
    }
    const disk = join(work, "golden.qcow2");
    run("qemu-img", ["convert", "-c", "-O", "qcow2", raw, disk]);
    return await publishImage({
      imagesDir,
      distro: source.manifest.distro,
      key: `firmware-${source.manifest.key}`,
      files: { disk },
      manifest: { buildMs: 0, recipe: { kind: "fixture-installed", from: source.manifest.key }, append: "", sshUser: "root" },
    });
  } finally {
    if (loop) run("losetup", ["--detach", loop]);
    rmSync(work, { recursive: true, force: true });
  }
}
