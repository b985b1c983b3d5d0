import { readFile } from "node:fs/promises";
import { connectSsh, type SshSession } from "@msf/ssh";
import type { VmState } from "./state.ts";

/** An SSH session into a VM as its state describes it: its own key, its host key pinned. */
export async function connectVm(vm: VmState, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SshSession> {
  return connectSsh(
    { host: vm.ssh.host, port: vm.ssh.port, username: vm.ssh.user, privateKey: await readFile(vm.ssh.keyPath, "utf8"), hostKey: vm.ssh.hostKey },
    { timeoutMs: options.timeoutMs ?? 30_000, signal: options.signal },
  );
}
