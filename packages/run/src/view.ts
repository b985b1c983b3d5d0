import { join } from "node:path";
import { readJsonIfExists } from "@msf/core";
import { mediaStore } from "@msf/iso";
import type { MsfContext } from "@msf/supervisor";
import { listProcesses, type ProcessView } from "@msf/supervisor";
import { readVmState, type VmState } from "@msf/vm";
import { type RunStatus, readJournal, replayJournal } from "./journal.ts";
import type { RunPlan } from "./plan.ts";
import { runVmName } from "./runner.ts";

export interface DistributionView {
  distro: string;
  /** The running phase, else the last one that ended, else the first still to come. */
  phase: string;
  state: RunStatus["tasks"][string]["state"];
  elapsedMs?: number;
  /** Until the running phase's timeout. */
  timeoutLeftMs?: number;
  vm?: { status: VmState["status"]; readyMs?: number; lastReadinessPhase?: string };
  checks?: { passed: number; failed: number };
  /** A queued run: the worker that ran its newest finished step (it keeps the distribution). */
  worker?: string;
}

export interface RunView {
  runId: string;
  status: RunStatus["status"];
  distributions: DistributionView[];
}

/** Pure: per distribution, where the run is (from the plan, the journal's replay and the VMs' state). */
export function runView(input: { runId: string; plan: RunPlan; status: RunStatus; vms: Record<string, VmState | undefined>; now: number }): RunView {
  const { plan, status, now } = input;
  const distributions = plan.matrix.map((distro): DistributionView => {
    const tasks = plan.tasks.filter((task) => task.distro === distro).map((task) => ({ task, state: status.tasks[task.id] ?? { state: "pending" as const } }));
    const current = tasks.find((t) => t.state.state === "running") ?? tasks.findLast((t) => t.state.state !== "pending") ?? tasks[0];
    const running = current?.state.state === "running" && current.state.startedAt !== undefined;
    const elapsedMs = running ? now - (current.state.startedAt as number) : current?.state.durationMs;
    const test = status.tasks[`${distro}:test`]?.outputs as { passed?: number; failed?: number } | undefined;
    const vm = input.vms[distro];
    const readiness = vm?.readiness?.phases ? Object.keys(vm.readiness.phases) : [];
    return {
      distro,
      phase: current?.task.phase ?? "-",
      state: current?.state.state ?? "pending",
      elapsedMs,
      timeoutLeftMs: running && current ? Math.max(0, current.task.timeoutMs - (elapsedMs ?? 0)) : undefined,
      vm: vm ? { status: vm.status, readyMs: vm.readiness?.readyMs, lastReadinessPhase: readiness.at(-1) } : undefined,
      checks: typeof test?.passed === "number" ? { passed: test.passed, failed: test.failed ?? 0 } : undefined,
      worker: tasks.map((t) => t.state.outputs?.worker).findLast((worker) => typeof worker === "string") as string | undefined,
    };
  });
  return { runId: input.runId, status: status.status, distributions };
}

export interface RunSnapshot extends RunView {
  tasks: RunStatus["tasks"];
}

/**
 * A run as its journal, plan and VMs tell it now; `journalLines` is how many journal events it was
 * read from (a live view continues after them).
 */
export async function readRunSnapshot(ctx: MsfContext, run: { runId: string; dir: string }): Promise<{ snapshot: RunSnapshot; journalLines: number }> {
  const events = await readJournal(join(run.dir, "journal.ndjson"));
  const status = replayJournal(events);
  // plan.json is written just after the journal opens: a moment before, the run has no plan yet.
  const plan = ((await readJsonIfExists(join(run.dir, "plan.json"))) as RunPlan | undefined) ?? { matrix: [], tasks: [], budget: { memoryMiB: 0, cpus: 0 } };
  const vms = Object.fromEntries(await Promise.all(plan.matrix.map(async (distro) => [distro, await readVmState(ctx.paths.vms, runVmName(distro))] as const)));
  return { snapshot: { ...runView({ runId: run.runId, plan, status, vms, now: Date.now() }), tasks: status.tasks }, journalLines: events.length };
}

export interface RunStatusSnapshot extends RunSnapshot {
  processes: ProcessView[];
  media: { files: number; bytes: number };
}

/** Everything `msf status` shows for a run, read now: the run, the supervised processes, the media cache. */
export async function runStatusSnapshot(ctx: MsfContext, run: { runId: string; dir: string }): Promise<RunStatusSnapshot> {
  const { snapshot } = await readRunSnapshot(ctx, run);
  const { processes } = await listProcesses(ctx);
  const media = await mediaStore(ctx).entries();
  return { ...snapshot, processes, media: { files: media.length, bytes: media.reduce((sum, entry) => sum + entry.size, 0) } };
}
