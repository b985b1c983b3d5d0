import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Supervisor } from "@msf/supervisor";
import type { InstallProfile } from "./profile.ts";

/** Pure: cloud-init NoCloud user-data for first-boot configuration (users, keys, packages, no password login). */
export function cloudInitUserData(profile: InstallProfile): string {
  const { user } = profile;
  return `#cloud-config
# msf: cloud-init user-data, generated from an install profile
hostname: ${profile.hostname}
fqdn: ${profile.hostname}.${profile.domain}
timezone: ${profile.timezone}
locale: ${profile.locale}
users:
  - name: ${user.name}
    gecos: ${JSON.stringify(user.fullName)}
    shell: /bin/bash
    sudo: "ALL=(ALL) NOPASSWD:ALL"
    lock_passwd: ${user.passwordHash ? "false" : "true"}
${user.passwordHash ? `    passwd: ${JSON.stringify(user.passwordHash)}\n` : ""}    ssh_authorized_keys:
      - ${JSON.stringify(user.sshPublicKey)}
disable_root: ${profile.rootLogin === "key" ? "false" : "true"}
${profile.rootLogin === "key" ? `ssh_authorized_keys:\n  - ${JSON.stringify(user.sshPublicKey)}\n` : ""}ssh_pwauth: ${user.passwordHash ? "true" : "false"}
package_update: false
packages:
${[...new Set([...profile.packages, ...(profile.docker ? ["docker.io"] : [])])].map((p) => `  - ${p}`).join("\n")}
`;
}

export function cloudInitMetaData(profile: InstallProfile): string {
  return `instance-id: ${profile.hostname}\nlocal-hostname: ${profile.hostname}\n`;
}

/** Pure: xorriso's argv for a NoCloud seed ISO (volume id `cidata`) holding the given files. */
export function seedIsoArgv(output: string, files: string[]): string[] {
  return ["-as", "mkisofs", "-output", output, "-volid", "cidata", "-joliet", "-rock", ...files];
}

/** Writes user-data and meta-data and packs them into a NoCloud seed ISO (volume id `cidata`). */
export async function buildSeedIso(supervisor: Supervisor, options: { dir: string; output: string; profile: InstallProfile }): Promise<string> {
  const userData = join(options.dir, "user-data");
  const metaData = join(options.dir, "meta-data");
  await mkdir(options.dir, { recursive: true });
  await writeFile(userData, cloudInitUserData(options.profile));
  await writeFile(metaData, cloudInitMetaData(options.profile));
  const partial = `${options.output}.part`;
  await supervisor.exec({ name: "xorriso-seed", command: "xorriso", args: seedIsoArgv(partial, [userData, metaData]), timeoutMs: 60_000 });
  await rename(partial, options.output);
  return options.output;
}
