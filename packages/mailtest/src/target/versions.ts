import { type InstalledPackage, PACKAGE_QUERY, parsePackageList } from "@msf/catalog";
import { type SshSession, sh } from "@msf/ssh";
import type { PackageFamily } from "../recipe/families.ts";

/** What a server runs: its kernel and every installed package, as its own package manager says. */
export interface ServerVersions {
  kernelRelease: string;
  packages: InstalledPackage[];
}

/** Reads the server's kernel release and package list in one round trip (output bounded: a package list is well under 4 MiB). */
export async function readServerVersions(
  ssh: SshSession,
  family: PackageFamily,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ServerVersions> {
  const result = await ssh.exec(sh`uname -r && ${PACKAGE_QUERY[family]}`, {
    timeoutMs: options.timeoutMs ?? 60_000,
    signal: options.signal,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (result.exitCode !== 0)
    throw new Error(`listing the installed packages failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.slice(0, 500)}`);
  const [kernelRelease = "", ...rest] = result.stdout.split("\n");
  return { kernelRelease: kernelRelease.trim().slice(0, 200), packages: parsePackageList(rest.join("\n")) };
}
