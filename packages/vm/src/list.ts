import { readdir } from "node:fs/promises";
import { isProcessAlive } from "@msf/core";
import { readVmState, type VmState } from "./state.ts";

export interface VmListEntry {
  name: string;
  distro: string;
  /** vm.json's status, corrected to "stopped" when its process is gone. */
  status: VmState["status"];
  running: boolean;
  pid: number;
  sshPort: number;
  startedAt: string;
  expiresAt: string;
  dir: string;
  /** The golden image it booted. */
  image: { key: string; dir: string };
}

export async function vmList(vmsDir: string): Promise<VmListEntry[]> {
  const entries: VmListEntry[] = [];
  const dirents = await readdir(vmsDir, { withFileTypes: true }).catch(() => []);
  // VM directories only: the VMs' lock files live beside them.
  const names = dirents.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  for (const name of names.sort()) {
    const state = await readVmState(vmsDir, name);
    if (!state) continue;
    const running = state.status !== "stopped" && isProcessAlive(state.pid, state.startTicks);
    entries.push({
      name: state.name,
      distro: state.distro,
      status: running ? state.status : "stopped",
      running,
      pid: state.pid,
      sshPort: state.ssh.port,
      startedAt: state.startedAt,
      expiresAt: state.expiresAt,
      dir: state.dir,
      image: { key: state.image.key, dir: state.image.dir },
    });
  }
  return entries;
}
