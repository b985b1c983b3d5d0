import { grubConsoleFile, postInstallLines, writeFileLine } from "./post-install.ts";
import type { InstallProfile } from "./profile.ts";

/**
 * Shell lines run in the installed system: the SSH keys for the user (and root), key-only login,
 * the per-VM credentials unit and the serial console.
 */
export function debianPostInstallScript(profile: InstallProfile): string {
  const { name, sshPublicKey } = profile.user;
  // The key goes base64-encoded: no shell on the way (the installer's, then sh -c) parses it.
  const keys = (home: string) => writeFileLine({ path: `${home}/.ssh/authorized_keys`, content: `${sshPublicKey}\n`, mode: 0o600 });
  const lines = [
    `install -d -m 700 -o ${name} -g ${name} /home/${name}/.ssh`,
    keys(`/home/${name}`),
    `chown ${name}:${name} /home/${name}/.ssh/authorized_keys`,
  ];
  if (profile.rootLogin === "key") lines.push("install -d -m 700 /root/.ssh", keys("/root"));
  if (!profile.user.passwordHash) lines.push("mkdir -p /etc/ssh/sshd_config.d", "echo 'PasswordAuthentication no' > /etc/ssh/sshd_config.d/10-msf.conf");
  lines.push(...postInstallLines([grubConsoleFile(profile)]), "update-grub");
  return lines.join(" && ");
}

/** Pure: a Debian installer preseed for the profile (answers every question the installer asks). */
export function debianPreseed(profile: InstallProfile): string {
  const mirror = new URL(profile.mirror.url ?? "http://deb.debian.org/debian");
  const lvm = profile.disk.layout === "lvm";
  const packages = [...new Set(["openssh-server", "sudo", ...profile.packages, ...(profile.docker ? ["docker.io"] : [])])];
  return `# msf: Debian preseed, generated from an install profile
d-i debian-installer/locale string ${profile.locale}
d-i keyboard-configuration/xkb-keymap select ${profile.keyboard}
d-i netcfg/choose_interface select auto
d-i netcfg/get_hostname string ${profile.hostname}
d-i netcfg/get_domain string ${profile.domain}
d-i netcfg/hostname string ${profile.hostname}
d-i hw-detect/load_firmware boolean false
d-i mirror/country string manual
d-i mirror/protocol string ${mirror.protocol.replace(":", "")}
d-i mirror/http/hostname string ${mirror.host}
d-i mirror/http/directory string ${mirror.pathname.replace(/\/$/, "") || "/"}
d-i mirror/http/proxy string ${profile.mirror.proxy ?? ""}
d-i passwd/root-login boolean false
d-i passwd/make-user boolean true
d-i passwd/user-fullname string ${profile.user.fullName}
d-i passwd/username string ${profile.user.name}
d-i passwd/user-password-crypted password ${profile.user.passwordHash ?? "!"}
d-i passwd/user-default-groups string sudo
d-i clock-setup/utc boolean true
d-i time/zone string ${profile.timezone}
d-i clock-setup/ntp boolean false
d-i partman-auto/disk string ${profile.disk.device}
d-i partman-auto/method string ${lvm ? "lvm" : "regular"}
d-i partman-auto/choose_recipe select atomic
d-i partman-auto-lvm/guided_size string max
d-i partman-lvm/device_remove_lvm boolean true
d-i partman-lvm/confirm boolean true
d-i partman-lvm/confirm_nooverwrite boolean true
d-i partman-md/device_remove_md boolean true
d-i partman-partitioning/confirm_write_new_label boolean true
d-i partman/choose_partition select finish
d-i partman/confirm boolean true
d-i partman/confirm_nooverwrite boolean true
d-i apt-setup/cdrom/set-first boolean false
d-i apt-setup/non-free-firmware boolean false
d-i apt-setup/services-select multiselect security, updates
tasksel tasksel/first multiselect standard, ssh-server
d-i pkgsel/include string ${packages.join(" ")}
d-i pkgsel/upgrade select none
popularity-contest popularity-contest/participate boolean false
d-i grub-installer/only_debian boolean true
d-i grub-installer/bootdev string ${profile.disk.device}
d-i preseed/late_command string in-target sh -c "${debianPostInstallScript(profile)}"
d-i finish-install/reboot_in_progress note
d-i debian-installer/exit/poweroff boolean true
`;
}

/** The kernel command line that makes the installer fetch the preseed and ask nothing. */
export function debianKernelArgs(profile: InstallProfile, configUrl: string): string[] {
  return [
    "auto=true",
    "priority=critical",
    `url=${configUrl}preseed.cfg`,
    `locale=${profile.locale}`,
    `keymap=${profile.keyboard}`,
    `netcfg/get_hostname=${profile.hostname}`,
    `netcfg/get_domain=${profile.domain}`,
    "DEBIAN_FRONTEND=text",
    "console=ttyS0,115200",
  ];
}
