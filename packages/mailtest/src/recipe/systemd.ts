import { file, type ManagedFile, type StackInputs } from "./inputs.ts";

export const CLAMD_DROP_IN = "/etc/systemd/system/clamav-daemon.service.d/msf.conf";

/**
 * Every systemd file of the stack, written in one step so one daemon reload reads them all (each
 * reload stalls every other systemctl call, 3-8 s under emulation).
 * - Under CPU emulation services get ten minutes to start, not 90 s: on a shared, emulated CPU
 *   Postfix's instance set-up alone took longer than 90 s, and systemd killed it while the `postfix`
 *   wrapper unit still said active.
 * - Debian's clamd unit only starts once a daily.* database exists; the bundled signature must do.
 */
export function systemdFiles(inputs: StackInputs): ManagedFile[] {
  return [
    ...(inputs.emulated
      ? [file("/etc/systemd/system.conf.d/msf-emulated.conf", "# msf: this server runs under CPU emulation\n[Manager]\nDefaultTimeoutStartSec=10min\n")]
      : []),
    ...(inputs.family === "apt" ? [file(CLAMD_DROP_IN, "[Unit]\nConditionPathExistsGlob=\n")] : []),
  ];
}
