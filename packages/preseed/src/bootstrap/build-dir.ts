import { readFile, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { MsfError } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";

/** Mount points strictly inside a directory, deepest first (from /proc/self/mounts). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const prefix = `${resolve(dir)}/`;
  const table = await readFile("/proc/self/mounts", "utf8");
  return table
    .split("\n")
    .map((line) => line.split(" ")[1])
    .filter((field): field is string => Boolean(field))
    .map((field) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))))
    .filter((mountPoint) => mountPoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes an image build directory. A build killed with SIGKILL leaves mmdebstrap's mounts
 * (/proc, an rbind of /sys, device bind mounts) inside its root: recursing into them would touch
 * the host, so they are unmounted first, and nothing is removed while one remains.
 */
export async function removeBuildDir(dir: string, supervisor: Supervisor): Promise<void> {
  for (const mountPoint of await mountsUnder(dir)) {
    await supervisor.exec({ name: "umount-stale-build", command: "umount", args: ["--lazy", mountPoint], timeoutMs: 30_000 }).catch(() => undefined);
  }
  const left = await mountsUnder(dir);
  if (left.length) {
    throw new MsfError("ERR_MSF_IMAGE_BUILD", `cannot remove ${dir}: ${left.length} mount(s) inside it could not be unmounted (${left[0]}…)`, {
      hint: `unmount them (umount --lazy ${left[0]}), then run again`,
    });
  }
  await rm(dir, { recursive: true, force: true });
}
