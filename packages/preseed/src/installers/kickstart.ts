import { postInstallLines } from "./post-install.ts";
import type { InstallProfile } from "./profile.ts";

/** Pure: a kickstart for Fedora, RHEL, AlmaLinux and Rocky Linux (installing from the DVD). */
export function kickstart(profile: InstallProfile): string {
  const { user } = profile;
  const disk = profile.disk.device.replace("/dev/", "");
  const lines = [
    "# msf: kickstart, generated from an install profile",
    "text",
    "cdrom",
    `lang ${profile.locale}`,
    `keyboard --vckeymap=${profile.keyboard}`,
    `timezone ${profile.timezone} --utc`,
    `network --bootproto=dhcp --hostname=${profile.hostname}.${profile.domain} --activate`,
    ...(profile.mirror.proxy ? [`# proxy: ${profile.mirror.proxy}`] : []),
    "rootpw --lock",
    user.passwordHash
      ? `user --name=${user.name} --gecos="${user.fullName}" --groups=wheel --iscrypted --password=${user.passwordHash}`
      : `user --name=${user.name} --gecos="${user.fullName}" --groups=wheel --lock`,
    `sshkey --username=${user.name} "${user.sshPublicKey}"`,
    ...(profile.rootLogin === "key" ? [`sshkey --username=root "${user.sshPublicKey}"`] : []),
    "zerombr",
    `clearpart --all --initlabel --drives=${disk}`,
    `ignoredisk --only-use=${disk}`,
    `autopart --type=${profile.disk.layout === "lvm" ? "lvm" : "plain"}`,
    `bootloader --location=mbr --boot-drive=${disk} --append="console=tty0 console=${profile.console}"`,
    ...(profile.selinux === "default" ? [] : [`selinux --${profile.selinux}`]),
    ...(profile.firewall === "default" ? [] : [profile.firewall === "enabled" ? "firewall --enabled --ssh" : "firewall --disabled"]),
    "skipx",
    "firstboot --disable",
    "services --enabled=sshd",
    "",
    "%packages",
    "@core",
    ...new Set([...profile.packages, ...(profile.docker ? ["moby-engine"] : [])]),
    "%end",
    "",
    "%post",
    ...(user.passwordHash ? [] : ["mkdir -p /etc/ssh/sshd_config.d", "echo 'PasswordAuthentication no' > /etc/ssh/sshd_config.d/10-msf.conf"]),
    ...postInstallLines(),
    "%end",
    "",
    "poweroff",
    "",
  ];
  return lines.join("\n");
}

/** Anaconda's command line: the kickstart by URL, the DVD as install source (by its volume id). */
export function kickstartKernelArgs(configUrl: string, volumeId: string): string[] {
  return [`inst.ks=${configUrl}ks.cfg`, `inst.stage2=hd:LABEL=${volumeId.replace(/ /g, "\\x20")}`, "inst.text", "console=ttyS0,115200"];
}
