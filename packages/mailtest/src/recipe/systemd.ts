import { file, type ManagedFile, type StackInputs } from "./inputs.ts";

/**
 * systemd's defaults for a server under CPU emulation: services get ten minutes to start, not 90 s.
 * On a shared, emulated CPU Postfix's instance set-up alone took longer than 90 s, and systemd
 * killed it while the `postfix` wrapper unit still said active.
 */
export function systemdFiles(inputs: StackInputs): ManagedFile[] {
  if (!inputs.emulated) return [];
  return [file("/etc/systemd/system.conf.d/msf-emulated.conf", "# msf: this server runs under CPU emulation\n[Manager]\nDefaultTimeoutStartSec=10min\n")];
}
