import type { PlannedTask, RunConfig } from "@msf/run";
import { z } from "zod";

type Data = Record<string, unknown>;

/** A step the coordinator hands a worker: run it, clean it up, or say whether what it made still holds. */
export interface StepJob {
  kind: "run" | "cleanup";
  runId: string;
  task: PlannedTask;
  input: Data;
  config: RunConfig;
  /**
   * Earlier steps of the distribution to run first, when this worker does not hold its VM (the
   * worker that did was lost): their outputs replace the ones in `input`.
   */
  replay: { task: PlannedTask; input: Data }[];
  /** The worker keeps the distribution (its VM) after this step. */
  keep: boolean;
}

/** What a worker sends back. */
export const StepResultSchema = z.object({
  output: z.record(z.string(), z.unknown()),
  /** The worker's id. */
  worker: z.string(),
  /** The distribution's evidence directory (gzipped tar, base64). */
  evidence: z.string(),
});
export type StepResult = z.infer<typeof StepResultSchema>;
