import type { BootstrapRecipe } from "./recipe.ts";

export interface GuestFile {
  /** Absolute path inside the guest. */
  path: string;
  content: string;
  mode: number;
}

/** fw_cfg entries through which each VM gets its own keys at boot (the golden image holds none). */
export const FW_CFG = {
  authorizedKeys: "opt/msf/authorized_keys",
  hostKey: "opt/msf/ssh_host_ed25519_key",
} as const;

/** The kernel command line a bootstrap image needs (console options are the launcher's). */
export const BOOTSTRAP_APPEND = "root=/dev/vda rw";

/**
 * dpkg leaves out manuals, translations and documentation (copyrights kept). A file of its own, not
 * mmdebstrap's --dpkgopt: with path options in its 99mmdebstrap file, mmdebstrap pipes every essential
 * package through a Python filter, which took 44 of a 175 s build.
 */
const DPKG_EXCLUDES = [
  "path-exclude=/usr/share/man/*",
  "path-exclude=/usr/share/locale/*",
  "path-exclude=/usr/share/doc/*",
  "path-include=/usr/share/doc/*/copyright",
];

/** Before any package is installed: what dpkg leaves out, and a small initramfs with just what QEMU's virtio disk needs. */
export function setupFiles(): GuestFile[] {
  return [
    { path: "/etc/dpkg/dpkg.cfg.d/10msf-excludes", content: `${DPKG_EXCLUDES.join("\n")}\n`, mode: 0o644 },
    { path: "/etc/initramfs-tools/conf.d/msf.conf", content: "MODULES=list\n", mode: 0o644 },
    { path: "/etc/initramfs-tools/modules", content: "virtio_pci\nvirtio_blk\next4\n", mode: 0o644 },
  ];
}

const CREDENTIALS_SCRIPT = `#!/bin/sh
# msf: per-VM SSH credentials from QEMU's fw_cfg, so the golden image carries no key of its own.
# Says what it did on the console: a VM that cannot be logged into shows why there.
set -u
cfg=/sys/firmware/qemu_fw_cfg/by_name
key=/etc/ssh/ssh_host_ed25519_key
modprobe qemu_fw_cfg 2>/dev/null
# When udev is loading the driver at the same moment, modprobe returns while by_name is still being
# filled: wait (at most 10 s) until the module is live.
state=/sys/module/qemu_fw_cfg/initstate
tries=100
while [ -r $state ] && [ "$(cat $state)" != live ] && [ $tries -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
if [ -r "$cfg/${FW_CFG.authorizedKeys}/raw" ]; then
  install -d -m 700 /root/.ssh
  install -m 600 "$cfg/${FW_CFG.authorizedKeys}/raw" /root/.ssh/authorized_keys.new &&
    mv -f /root/.ssh/authorized_keys.new /root/.ssh/authorized_keys && echo "authorized_keys from fw_cfg"
  # An installed image's user still holds the key its install used: this VM's key replaces it too.
  for keys in /home/*/.ssh/authorized_keys; do
    [ -f "$keys" ] || continue
    owner=$(stat -c %U:%G "$keys")
    install -m 600 -o "\${owner%:*}" -g "\${owner#*:}" "$cfg/${FW_CFG.authorizedKeys}/raw" "$keys.new" && mv -f "$keys.new" "$keys" && echo "$keys from fw_cfg"
  done
else
  # No key of this VM's own: no key of the image's either.
  rm -f /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys
  echo "no authorized_keys in fw_cfg: removed the image's"
fi
# A host key is used only once ssh-keygen can read it; sshd without one would not start at all.
if [ -r "$cfg/${FW_CFG.hostKey}/raw" ] && install -m 600 "$cfg/${FW_CFG.hostKey}/raw" $key.new && ssh-keygen -y -f $key.new >/dev/null; then
  mv -f $key.new $key && echo "host key from fw_cfg"
elif ! ssh-keygen -y -f $key >/dev/null 2>&1; then
  # Without fw_cfg (booted by other means) the VM still gets a host key of its own.
  rm -f $key $key.pub && ssh-keygen -q -t ed25519 -N '' -f $key && echo "no usable host key in fw_cfg: generated one"
fi
rm -f $key.new
# OpenSSH 9.8 and later refuse, for a while, every connection from an address whose connections
# ended unauthenticated (PerSourcePenalties); all of msf's connections, its readiness probes
# included, come from QEMU's one host address: off, where this sshd knows the option.
if grep -qai persourcepenalties "$(command -v sshd || echo /usr/sbin/sshd)"; then
  echo "PerSourcePenalties no" > /etc/ssh/sshd_config.d/11-msf-penalties.conf && echo "sshd: per-source penalties off"
fi
`;

const CREDENTIALS_UNIT = `[Unit]
Description=msf per-VM SSH credentials from fw_cfg
Before=ssh.service sshd.service
After=systemd-modules-load.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/msf-credentials
RemainAfterExit=yes
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
`;

/** After the packages: identity, network, SSH policy and the credentials unit. */
export function customizeFiles(recipe: BootstrapRecipe): GuestFile[] {
  return [
    { path: "/etc/hostname", content: `${recipe.hostname}\n`, mode: 0o644 },
    { path: "/etc/hosts", content: `127.0.0.1\tlocalhost\n127.0.1.1\t${recipe.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`, mode: 0o644 },
    { path: "/etc/fstab", content: "/dev/vda\t/\text4\terrors=remount-ro\t0\t1\n", mode: 0o644 },
    // QEMU user networking's DNS forwarder.
    { path: "/etc/resolv.conf", content: "nameserver 10.0.2.3\n", mode: 0o644 },
    { path: "/etc/systemd/network/10-msf.network", content: "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n", mode: 0o644 },
    {
      path: "/etc/ssh/sshd_config.d/10-msf.conf",
      content: "HostKey /etc/ssh/ssh_host_ed25519_key\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n",
      mode: 0o644,
    },
    // sshd's own complaint (a bad key, a bad option) on the console when it cannot start.
    { path: "/etc/systemd/system/ssh.service.d/10-msf.conf", content: "[Service]\nStandardError=journal+console\n", mode: 0o644 },
    ...credentialsFiles(),
  ];
}

/** The credentials script and unit, for installed systems (written by an installer's post-install hook). */
export function credentialsFiles(): GuestFile[] {
  return [
    { path: "/usr/local/sbin/msf-credentials", content: CREDENTIALS_SCRIPT, mode: 0o755 },
    { path: "/etc/systemd/system/msf-credentials.service", content: CREDENTIALS_UNIT, mode: 0o644 },
  ];
}

/** Units enabled in the image. */
export const ENABLED_UNITS = ["systemd-networkd.service", "msf-credentials.service"] as const;

/**
 * Boot-time units a throwaway server VM has no use for (LVM snapshot checks, graphics, pstore,
 * FUSE, device mapper, loop devices, configfs, tracing, huge pages, message queues): off, they
 * leave an emulated guest's CPUs to the units on the way to SSH, about 2 s sooner (measured).
 */
export const MASKED_UNITS = [
  "e2scrub_reap.service",
  "modprobe@drm.service",
  "modprobe@efi_pstore.service",
  "modprobe@fuse.service",
  "modprobe@dm_mod.service",
  "modprobe@loop.service",
  "modprobe@configfs.service",
  "sys-kernel-tracing.mount",
  "sys-kernel-debug.mount",
  "dev-hugepages.mount",
  "dev-mqueue.mount",
] as const;
