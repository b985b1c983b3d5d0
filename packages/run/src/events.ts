import { z } from "zod";

/** How a task ended, as the journal records it. */
export const FinishedStatusSchema = z.enum(["done", "failed", "skipped", "timed-out", "interrupted"]);
export type FinishedStatus = z.infer<typeof FinishedStatusSchema>;

/** What a run reports while it goes (`msf run --json` prints each as a line): the one list, no catch-all. */
export const RunEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("archive-checked"),
    /** Per distribution: the image key the archive's signed state means now, and each suite's state. */
    images: z.array(z.object({ distro: z.string(), key: z.string(), suites: z.array(z.object({ suite: z.string(), date: z.string(), digest: z.string() })) })),
    ms: z.number(),
  }),
  z.object({ type: z.literal("run-planned"), runId: z.string(), dir: z.string(), resumed: z.boolean(), tasks: z.number(), matrix: z.array(z.string()) }),
  z.object({ type: z.literal("task-started"), task: z.string(), timeoutMs: z.number() }),
  z.object({ type: z.literal("task-finished"), task: z.string(), status: FinishedStatusSchema, durationMs: z.number(), message: z.string().optional() }),
  z.object({ type: z.literal("task-output"), task: z.string(), line: z.string() }),
  z.object({ type: z.literal("task-cleaned"), task: z.string(), ok: z.boolean(), message: z.string().optional() }),
  z.object({ type: z.literal("run-finished"), runId: z.string(), status: z.enum(["passed", "failed", "interrupted"]), reportDir: z.string() }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
/** The events of the executor itself (the run adds its start and end). */
export type ExecutorEvent = Extract<RunEvent, { type: `task-${string}` }>;
