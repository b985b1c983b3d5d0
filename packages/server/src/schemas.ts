import { WorkerInfoSchema } from "@msf/queue";
import { CheckResultSchema, ReportSchema } from "@msf/report";
import { PHASES } from "@msf/run";
import { z } from "zod";

// The API's shapes, one zod schema each: fastify validates requests and serialises responses with
// them, and the OpenAPI document at /api/v1/openapi.json is generated from them.

export const RUN_STATUSES = ["running", "passed", "failed", "interrupted"] as const;

export const ErrorSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    /** With 409: the run that holds the state directory. */
    runId: z.string().optional(),
  })
  .meta({ id: "Error" });

const distroId = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, "a distribution id such as debian-12");

/** POST /api/v1/runs: what `msf run` takes (nothing: the configured matrix). */
/** POST /api/v1/runs/{id}/rerun: one distribution of that run. */
export const RerunSchema = z.object({ distro: distroId }).strict().meta({ id: "Rerun" });

export const StartRunSchema = z
  .object({
    distros: z.array(distroId).max(32).optional(),
    matrix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.,-]{0,255}$/, "a matrix name (default, next, seed, upgrades) or distribution ids")
      .optional(),
    phase: z.enum(PHASES).optional(),
    image: z.literal("last-good").optional(),
    /** Why it starts, kept in the run's journal (msf serve puts its schedule or the archive change here). */
    reason: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: "StartRun" });

export const RunStartedSchema = z.object({ runId: z.string() }).meta({ id: "RunStarted" });

export const RunSummarySchema = z
  .object({
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    matrix: z.array(z.string()),
    done: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: "RunSummary" });

export const RunsQuerySchema = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  distro: z.string().max(64).optional(),
  /** Runs started on this day or later (YYYY-MM-DD, UTC; run ids begin with their start time). */
  since: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` of the previous page: runs older than this id. */
  before: z.string().max(64).optional(),
});

export const RunPageSchema = z.object({ runs: z.array(RunSummarySchema), next: z.string().optional() }).meta({ id: "RunPage" });

const TaskSchema = z.object({
  state: z.string(),
  startedAt: z.number().optional(),
  durationMs: z.number().optional(),
  message: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});

const DistributionViewSchema = z.object({
  distro: z.string(),
  phase: z.string(),
  state: z.string(),
  elapsedMs: z.number().optional(),
  timeoutLeftMs: z.number().optional(),
  vm: z.object({ status: z.string(), readyMs: z.number().optional(), lastReadinessPhase: z.string().optional() }).optional(),
  checks: z.object({ passed: z.number(), failed: z.number() }).optional(),
  /** A queued run: the worker that keeps the distribution. */
  worker: z.string().optional(),
});

export const RunDetailSchema = z
  .object({ runId: z.string(), status: z.enum(RUN_STATUSES), distributions: z.array(DistributionViewSchema), tasks: z.record(z.string(), TaskSchema) })
  .meta({ id: "RunDetail" });

export const DistributionHistorySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    latest: z.object({ runId: z.string(), verdict: z.enum(["passed", "failed", "partial", "not-run"]) }),
    lastGood: z.string().optional(),
    firstBad: z.string().optional(),
    passRate: z.object({ passed: z.number().int(), runs: z.number().int() }),
    medianMs: z.record(z.string(), z.number()),
  })
  .meta({ id: "DistributionHistory" });

export const ImageSummarySchema = z
  .object({
    key: z.string(),
    builtAt: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    stack: z.array(z.object({ component: z.string(), package: z.string().optional(), version: z.string().optional() })),
    /** The distribution's last known good image (the newest passing run's). */
    pinned: z.boolean(),
    lastRun: z.string().optional(),
  })
  .meta({ id: "Image" });

/** A catalog row: what the distribution is, its history when a run has included it, its cached images. */
export const DistributionRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    family: z.string().optional(),
    lifecycle: z.enum(["supported", "ended", "moving"]).optional(),
    history: DistributionHistorySchema.optional(),
    images: z.array(ImageSummarySchema),
  })
  .meta({ id: "Distribution" });

export const DeliverySchema = z
  .object({
    at: z.string(),
    alertId: z.string(),
    kind: z.string(),
    distro: z.string(),
    runId: z.string(),
    /** The channel, named without its URL's path (where webhook secrets live). */
    channel: z.string(),
    delivered: z.boolean(),
    attempts: z.number().int(),
    error: z.string().optional(),
  })
  .meta({ id: "AlertDelivery" });

export const CheckRowSchema = CheckResultSchema.extend({ distro: z.string() }).meta({ id: "Check" });

export const RunParamsSchema = z.object({ runId: z.string().regex(/^(latest|[0-9A-Za-z][0-9A-Za-z_-]{0,63})$/, "a run id or latest") });

export const ArtifactParamsSchema = RunParamsSchema.extend({ "*": z.string().max(1024) });

export { ReportSchema };

/** A queue worker as it registered (msf worker), with its state now. */
export const WorkerRowSchema = WorkerInfoSchema.omit({ pid: true, startedAt: true })
  .extend({ state: z.enum(["idle", "busy", "lost"]) })
  .meta({ id: "Worker" });
export type WorkerRow = z.infer<typeof WorkerRowSchema>;
