import { MsfError } from "@msf/core";
import { readVmState, type VmState } from "./state.ts";

/** The VM's state, or an error that says how to see which VMs exist. */
export async function requireVm(vmsDir: string, name: string): Promise<VmState> {
  const state = await readVmState(vmsDir, name);
  if (!state) throw new MsfError("ERR_MSF_NOT_FOUND", `there is no VM named ${name}`, { hint: "msf vm list shows the VMs; msf vm up <distro> starts one" });
  return state;
}
