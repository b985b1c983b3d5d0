import { isProcessAlive, MsfError } from "@msf/core";
import { type SshExecResult, userCommandLine } from "@msf/ssh";
import type { MsfContext } from "@msf/supervisor";
import { connectVm } from "./connect.ts";
import { requireVm } from "./find.ts";
import type { VmState } from "./state.ts";

export interface VmExecOptions {
  name: string;
  /** The user's shell command line, run as written (as with ssh). */
  command: string;
  timeoutMs?: number;
  input?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

/** Runs a command in a running VM as its SSH user, with a deadline, host key pinned. */
export async function vmExec(ctx: MsfContext, options: VmExecOptions): Promise<SshExecResult> {
  const state = await requireRunningVm(ctx, options.name);
  const session = await connectVm(state, { signal: ctx.signal });
  try {
    return await session.exec(userCommandLine(options.command), {
      timeoutMs: options.timeoutMs ?? 600_000,
      signal: ctx.signal,
      input: options.input,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    });
  } finally {
    session.close();
  }
}

export async function requireRunningVm(ctx: MsfContext, name: string): Promise<VmState> {
  const state = await requireVm(ctx.paths.vms, name);
  if (state.status === "stopped" || !isProcessAlive(state.pid, state.startTicks)) {
    throw new MsfError("ERR_MSF_NOT_FOUND", `the VM ${name} is not running`, {
      hint: `msf vm up ${state.distro}${name === state.distro ? "" : ` --name ${name}`}`,
    });
  }
  return state;
}

/** argv for an interactive OpenSSH session into the VM, host key pinned. */
export function interactiveSshArgs(state: VmState): string[] {
  const { ssh } = state;
  return [
    "-i",
    ssh.keyPath,
    "-o",
    `UserKnownHostsFile=${ssh.knownHostsPath}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-p",
    String(ssh.port),
    `${ssh.user}@${ssh.host}`,
  ];
}
