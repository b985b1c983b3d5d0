import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fetchArchivePackages, type MediaStore } from "@msf/iso";
import type { Supervisor } from "@msf/supervisor";
import { type CpioEntry, cpioNewc, moduleDepends, moduleLoadOrder } from "./cpio.ts";

export interface FixtureIso {
  iso: string;
  kernel: string;
  initrd: string;
}

/**
 * A small installer ISO in the Debian layout (install.amd/vmlinuz, install.amd/initrd.gz), built
 * from Debian packages fetched along the archive's signed chain: the archive's kernel and a
 * busybox initramfs whose init is fixture-init.sh.
 */
export async function buildFixtureIso(options: { supervisor: Supervisor; store: MediaStore; mirror: string; suite: string; out: string }): Promise<FixtureIso> {
  const debs = await fetchArchivePackages({ ...options, distro: "fixture" }, (index) => {
    const kernel = /linux-image-[^\s,]+/.exec(index("linux-image-amd64")?.Depends ?? "")?.[0];
    if (!kernel) throw new Error("linux-image-amd64 names no kernel package");
    return [kernel, "busybox-static"];
  });
  const work = await mkdtemp(join(tmpdir(), "msf-fixture-"));
  try {
    const root = join(work, "root");
    for (const deb of debs) await options.supervisor.exec({ name: "dpkg-deb", command: "dpkg-deb", args: ["-x", deb.path, root], timeoutMs: 300_000 });
    const [release] = await readdir(join(root, "lib/modules"));
    if (!release) throw new Error("the kernel package holds no modules");
    const modulesDir = join(root, "lib/modules", release);
    const paths = await modulePaths(modulesDir);
    const bytes = new Map<string, Buffer>();
    const moduleBytes = (name: string) => {
      const path = paths.get(name);
      if (!path) throw new Error(`module ${name} is not in ${modulesDir}`);
      if (!bytes.has(name)) bytes.set(name, readFileSync(join(modulesDir, path)));
      return bytes.get(name) as Buffer;
    };
    const modules = moduleLoadOrder(["virtio_pci", "virtio_net", "virtio_blk"], (name) => moduleDepends(moduleBytes(name))).map(
      (name) => paths.get(name) as string,
    );
    const entries: CpioEntry[] = [
      ...["bin", "dev", "proc", "sys", "tmp", "kernel"].map((name) => ({ type: "dir" as const, name })),
      { type: "file", name: "bin/busybox", data: await readFile(join(root, "bin/busybox")), mode: 0o755 },
      { type: "file", name: "init", data: await readFile(join(import.meta.dirname, "fixture-init.sh")), mode: 0o755 },
      { type: "file", name: "modules.order", data: `${modules.join("\n")}\n` },
    ];
    // Debian 12's modules are not compressed, so busybox's insmod loads them as they are.
    for (const module of modules) entries.push({ type: "file", name: module, data: await readFile(join(modulesDir, module)) });
    const tree = join(work, "iso");
    await mkdir(join(tree, "install.amd"), { recursive: true });
    await writeFile(join(tree, "install.amd/vmlinuz"), await readFile(join(root, "boot", `vmlinuz-${release}`)));
    await writeFile(join(tree, "install.amd/initrd.gz"), gzipSync(cpioNewc(withParents(entries))));
    await mkdir(options.out, { recursive: true });
    const iso = join(options.out, "fixture-installer.iso");
    await options.supervisor.exec({
      name: "xorriso",
      command: "xorriso",
      args: ["-as", "mkisofs", "-quiet", "-V", "MSF_FIXTURE", "-o", iso, "-r", tree],
      timeoutMs: 120_000,
    });
    const kernel = join(options.out, "vmlinuz");
    const initrd = join(options.out, "initrd.gz");
    await copyFile(join(tree, "install.amd/vmlinuz"), kernel);
    await copyFile(join(tree, "install.amd/initrd.gz"), initrd);
    return { iso, kernel, initrd };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Module name (dashes as underscores, as the kernel names them) -> path under the modules directory. */
async function modulePaths(modulesDir: string): Promise<Map<string, string>> {
  const entries = await readdir(join(modulesDir, "kernel"), { recursive: true, withFileTypes: true });
  const paths = new Map<string, string>();
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith(".ko"))
      paths.set(entry.name.slice(0, -3).replaceAll("-", "_"), join(entry.parentPath, entry.name).slice(modulesDir.length + 1));
  }
  return paths;
}

/** Every directory a file sits in, listed before it (the kernel does not create parents). */
function withParents(entries: CpioEntry[]): CpioEntry[] {
  const dirs = new Set<string>();
  const out: CpioEntry[] = [];
  for (const entry of entries) {
    const parts = entry.name.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir) || entries.some((e) => e.type === "dir" && e.name === dir)) continue;
      dirs.add(dir);
      out.push({ type: "dir", name: dir });
    }
    out.push(entry);
  }
  return out;
}
