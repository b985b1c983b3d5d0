import { debianPostInstallScript } from "./debian.ts";
import type { InstallProfile } from "./profile.ts";

const yamlString = (value: string) => JSON.stringify(value);

/** Pure: Ubuntu autoinstall user-data (cloud-config with an `autoinstall` section) and meta-data (NoCloud). */
export function ubuntuAutoinstall(profile: InstallProfile): { "user-data": string; "meta-data": string } {
  const packages = [...new Set([...profile.packages, ...(profile.docker ? ["docker.io"] : [])])];
  const userData = `#cloud-config
# msf: Ubuntu autoinstall, generated from an install profile
autoinstall:
  version: 1
  locale: ${profile.locale}
  keyboard:
    layout: ${profile.keyboard}
  timezone: ${profile.timezone}
  identity:
    hostname: ${profile.hostname}
    realname: ${yamlString(profile.user.fullName)}
    username: ${profile.user.name}
    password: ${yamlString(profile.user.passwordHash ?? "!")}
  ssh:
    install-server: true
    allow-pw: ${profile.user.passwordHash ? "true" : "false"}
    authorized-keys:
      - ${yamlString(profile.user.sshPublicKey)}
  storage:
    layout:
      name: ${profile.disk.layout === "lvm" ? "lvm" : "direct"}
${profile.mirror.url ? `  apt:\n    primary:\n      - arches: [default]\n        uri: ${profile.mirror.url}\n` : ""}${profile.mirror.proxy ? `  proxy: ${profile.mirror.proxy}\n` : ""}  packages:
${packages.map((p) => `    - ${p}`).join("\n")}
  late-commands:
    - ${yamlString(`curtin in-target -- sh -c ${JSON.stringify(debianPostInstallScript(profile))}`)}
  shutdown: poweroff
`;
  return { "user-data": userData, "meta-data": `instance-id: ${profile.hostname}\nlocal-hostname: ${profile.hostname}\n` };
}

/** `autoinstall` on the command line, or Subiquity stops to ask for confirmation. */
export function ubuntuKernelArgs(configUrl: string): string[] {
  return ["autoinstall", `ds=nocloud-net;s=${configUrl}`, "console=ttyS0,115200"];
}
