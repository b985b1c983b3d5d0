import { dirname } from "node:path";
import { credentialsFiles, type GuestFile } from "../bootstrap/guest-files.ts";
import type { InstallProfile } from "./profile.ts";

/** One shell line that writes a file (base64, so no quoting survives into preseed or YAML). */
export function writeFileLine(file: GuestFile): string {
  const mode = file.mode.toString(8);
  return `mkdir -p ${dirname(file.path)} && echo ${Buffer.from(file.content).toString("base64")} | base64 -d > ${file.path} && chmod ${mode} ${file.path}`;
}

/** GRUB on the serial console too, for Debian and Ubuntu (kickstart and AutoYaST have their own keys). */
export function grubConsoleFile(profile: InstallProfile): GuestFile {
  const content = `# msf: the kernel and GRUB on the serial console, where msf watches the boot\nGRUB_CMDLINE_LINUX_DEFAULT="console=tty0 console=${profile.console}"\nGRUB_TERMINAL="console serial"\n`;
  return { path: "/etc/default/grub.d/90-msf-console.cfg", content, mode: 0o644 };
}

/**
 * Shell lines for the installed system (run in it by the installer's post-install hook): the
 * per-VM credentials unit, so a VM of the golden image gets its keys through fw_cfg like a
 * bootstrap image does, plus the given extra files.
 */
export function postInstallLines(extra: GuestFile[] = []): string[] {
  return [...[...credentialsFiles(), ...extra].map(writeFileLine), "systemctl enable msf-credentials.service"];
}
