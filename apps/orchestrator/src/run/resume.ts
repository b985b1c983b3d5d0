import { existsSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "@msf/core";
import type { MsfContext } from "../context.ts";
import { readVmState } from "../vm/state.ts";
import type { RunStatus } from "./journal.ts";
import type { RunPlan } from "./plan.ts";
import type { TaskState } from "./scheduler.ts";
import { runVmName } from "./tasks.ts";

/**
 * On resume: finished tasks whose artifacts still hold are kept; interrupted ones rerun. A golden
 * image that is gone takes its distribution back to install; a VM that is gone, back to boot
 * (deploy and test need the running VM).
 */
export async function restoreFinished(
  ctx: MsfContext,
  plan: RunPlan,
  status: RunStatus,
  states: Map<string, TaskState>,
  outputs: Map<string, Record<string, unknown>>,
) {
  for (const task of plan.tasks) {
    const previous = status.tasks[task.id];
    if (previous?.state !== "done" || task.phase === "report") continue;
    states.set(task.id, "done");
    outputs.set(task.id, previous.outputs ?? {});
  }
  for (const distro of plan.matrix) {
    const collected = states.get(`${distro}:collect`) === "done";
    if (collected) continue;
    const imageDir = outputs.get(`${distro}:install`)?.imageDir;
    const imageGone = typeof imageDir === "string" && !existsSync(join(imageDir, "manifest.json"));
    const vm = await readVmState(ctx.paths.vms, runVmName(distro));
    const vmUp = vm && vm.status !== "stopped" && isProcessAlive(vm.pid, vm.startTicks);
    if (vmUp && !imageGone) continue;
    for (const phase of [...(imageGone ? ["install", "archive"] : []), "boot", "deploy", "test"]) states.delete(`${distro}:${phase}`);
  }
}
