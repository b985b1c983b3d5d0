import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import type { MsfContext } from "@msf/supervisor";
import type { RunConfig } from "./config.ts";
import type { PlannedTask } from "./plan.ts";
import type { StepContext } from "./step.ts";
import { STEPS } from "./steps/index.ts";

/** What one call of a step gets from the executor: its deadline and interrupt as one signal, a line sink. */
export interface StepCall {
  signal: AbortSignal;
  onLine: (line: string) => void;
}

type Data = Record<string, unknown>;

/**
 * Where a step runs: the one seam between the executor and the work. In-process here; a queue
 * worker on another host runs the same steps behind the same three calls.
 */
export interface StepRunner {
  /** Runs the task's step with its input (the distribution's earlier outputs); resolves with its output. */
  run(task: PlannedTask, input: Data, call: StepCall): Promise<Data>;
  /** Undoes what the step leaves behind when it (or a later step) failed, was interrupted, or was cut off by a crash. */
  cleanup(task: PlannedTask, input: Data, call: StepCall): Promise<void>;
  /** On resume: does what the finished step made (an image, a VM) still hold? */
  holds(task: PlannedTask, output: Data): Promise<boolean>;
}

/** The VM a run uses for a distribution (apart from the user's own `msf vm up` VMs). */
export const runVmName = (distro: string) => `run-${distro}`;

/** Runs the steps in this process; inputs and outputs checked against each step's schemas. */
export function inProcessRunner(options: { ctx: MsfContext; config: RunConfig; runDir: string; vmEndsWithProcess?: boolean }): StepRunner {
  const context = (task: PlannedTask, call: StepCall): StepContext => {
    const distribution = task.distro ? findDistribution(task.distro) : undefined;
    if (!distribution) throw new Error(`task ${task.id} has no catalog distribution`);
    return {
      ctx: { ...options.ctx, signal: call.signal },
      config: options.config,
      distribution,
      bootstrap: task.bootstrap,
      runDir: options.runDir,
      vmName: runVmName(distribution.id),
      vmRunDir: join(options.runDir, "vms", distribution.id),
      onLine: call.onLine,
      vmEndsWithProcess: options.vmEndsWithProcess,
      resources: task.resources,
    };
  };
  const step = (task: PlannedTask) => STEPS[task.phase as keyof typeof STEPS];
  return {
    async run(task, input, call) {
      const own = step(task);
      return own.output.parse(await own.run(context(task, call), own.input.parse(input))) as Data;
    },
    cleanup: (task, input, call) => step(task).cleanup(context(task, call), step(task).input.parse(input)),
    holds: async (task, output) => {
      const own = step(task);
      if (!own.holds) return true;
      const call = { signal: new AbortController().signal, onLine: () => {} };
      return own.holds(context(task, call), own.output.parse(output));
    },
  };
}
