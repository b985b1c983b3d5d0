import { join } from "node:path";
import { MsfError } from "@msf/core";
import type { MsfContext } from "@msf/supervisor";
import { acquireLock } from "@msf/supervisor";

/** Runs `work` holding the VM's lock: one msf command at a time changes a VM (up, down, deploy). */
export async function withVmLock<T>(ctx: MsfContext, name: string, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(join(ctx.paths.vms, `${name}.lock`), { timeoutMs: 5_000, signal: ctx.signal }).catch((error: unknown) => {
    if (error instanceof MsfError && error.code === "ERR_MSF_LOCKED") {
      throw new MsfError("ERR_MSF_LOCKED", `the VM ${name} is in use by another msf command (vm up, vm down, deploy or a run)`, {
        hint: "wait for it to finish (msf ps shows what runs), then try again",
        cause: error,
      });
    }
    throw error;
  });
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
