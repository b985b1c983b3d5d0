import type { Distribution } from "@msf/catalog";
import type { MsfContext } from "@msf/supervisor";
import type { z } from "zod";
import type { Phase, RunConfig } from "./config.ts";

/** What a step needs besides its input: the context (whose signal ends with the step's timeout or the run's interrupt), the run, its distribution. */
export interface StepContext {
  ctx: MsfContext;
  config: RunConfig;
  distribution: Distribution;
  /** Built from the archive (mmdebstrap) rather than installed from media. */
  bootstrap: boolean;
  runDir: string;
  /** The VM the run uses for this distribution, and where its evidence goes in the run directory. */
  vmName: string;
  vmRunDir: string;
  /** A line of progress for the task's log. */
  onLine: (line: string) => void;
  /** The VM ends when this process dies (a queue worker: a crashed worker's steps run elsewhere). */
  vmEndsWithProcess?: boolean;
  /** What the scheduler counted for this task: a VM started here gets this memory and these vCPUs. */
  resources: Resources;
}

export interface Resources {
  memoryMiB: number;
  cpus: number;
}

/**
 * One phase of a distribution, run and cleanup side by side. Its input is read from the outputs of
 * the distribution's earlier steps, its output is plain data the journal records; both are zod
 * schemas, so nothing is passed untyped. The executor calls `cleanup` when the step (or a later one
 * of its distribution) fails, times out or is interrupted, and before rerunning a step a crash left
 * half done; `holds` tells a resume whether what the step made is still there.
 */
export interface Step<I = unknown, O = unknown> {
  phase: Phase;
  /** The distribution's VM is up while this runs (it holds its memory and cores until collect). */
  holdsVm: boolean;
  resources(distribution: Distribution, budget: Resources, bootstrap: boolean): Resources;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  run(step: StepContext, input: I): Promise<O>;
  cleanup(step: StepContext, input: I): Promise<void>;
  holds?(step: StepContext, output: O): Promise<boolean>;
}

export function defineStep<I, O>(step: Step<I, O>): Step<I, O> {
  return step;
}

/** Steps that run on the host, not in a VM: a little memory, one core (a download: none). */
export const hostResources = (cpus: number) => (): Resources => ({ memoryMiB: 512, cpus });

/** Steps inside the distribution's VM: its memory and a core per vCPU, within the budget. */
export function vmResources(distribution: Distribution, budget: Resources): Resources {
  return { memoryMiB: Math.min(distribution.resources.memoryMiB, budget.memoryMiB), cpus: Math.min(distribution.resources.cpus, budget.cpus) };
}

export const nothingToClean = async (): Promise<void> => {};
