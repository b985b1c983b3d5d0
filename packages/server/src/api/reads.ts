import { createReadStream } from "node:fs";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { imagesList, pageRuns, type RunSummary, readRunSnapshot } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { readDeliveries } from "../alerting.ts";
import { artifactType, resolveInside } from "../artifacts.ts";
import { distributionHistories, distributionRows } from "../history.ts";
import { tailLog } from "../log-tail.ts";
import { readResults } from "../results.ts";
import {
  ArtifactParamsSchema,
  CheckRowSchema,
  DeliverySchema,
  DistributionRowSchema,
  ReportSchema,
  RunDetailSchema,
  RunPageSchema,
  RunParamsSchema,
  RunsQuerySchema,
} from "../schemas.ts";
import { ERRORS as errors, reportOf, runOf } from "./run-of.ts";

const publicSummary = ({ runId, status, matrix, done, total }: RunSummary) => ({ runId, status, matrix, done, total });

/** The runs of one state directory as their journals and reports tell them. */
export function registerReads(app: FastifyInstance, ctx: MsfContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/v1/runs",
    { schema: { summary: "Runs, newest first, a page at a time", querystring: RunsQuerySchema, response: { 200: RunPageSchema, ...errors } } },
    async (request) => {
      const { limit, before, since, status, distro } = request.query;
      const page = await pageRuns(ctx, {
        limit,
        before,
        since,
        where: (run) => (status === undefined || run.summary.status === status) && (distro === undefined || run.summary.matrix.includes(distro)),
      });
      return { runs: page.runs.map((run) => publicSummary(run.summary)), next: page.next };
    },
  );

  api.get(
    "/api/v1/distros",
    {
      schema: {
        summary:
          "Every catalog distribution (and any other a run included): its history in the newest runs (newest verdict, last good and first bad run, pass rate, median phase times) and its cached images (versions, pinned last good)",
        response: { 200: z.object({ distributions: z.array(DistributionRowSchema) }), ...errors },
      },
    },
    async () => ({ distributions: distributionRows(distributionHistories(await readResults(ctx)), await imagesList(ctx)) }),
  );

  api.get(
    "/api/v1/runs/:runId",
    {
      schema: {
        summary: "One run: its distributions, tasks, timings and timeout left",
        params: RunParamsSchema,
        response: { 200: RunDetailSchema, ...errors },
      },
    },
    async (request) => {
      return (await readRunSnapshot(ctx, await runOf(ctx, request.params.runId))).snapshot;
    },
  );

  api.get(
    "/api/v1/runs/:runId/report",
    { schema: { summary: "A run's report.json (the report model)", params: RunParamsSchema, response: { 200: ReportSchema, ...errors } } },
    async (request) => reportOf(ctx, request.params.runId),
  );

  api.get(
    "/api/v1/runs/:runId/checks",
    {
      schema: {
        summary: "A run's checks, per distribution: verdict, time and wire transcript",
        params: RunParamsSchema,
        querystring: z.object({ distro: z.string().max(64).optional() }),
        response: { 200: z.object({ checks: z.array(CheckRowSchema) }), ...errors },
      },
    },
    async (request) => {
      const report = await reportOf(ctx, request.params.runId);
      const distributions = report.distributions.filter((d) => request.query.distro === undefined || d.id === request.query.distro);
      return { checks: distributions.flatMap((d) => d.checks.map((check) => ({ distro: d.id, ...check }))) };
    },
  );

  api.get(
    "/api/v1/alerts",
    {
      schema: {
        summary: "Alert deliveries, newest first: each channel's outcome for each regression or fix (a failed one says why)",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: z.object({ deliveries: z.array(DeliverySchema) }), ...errors },
      },
    },
    async (request) => ({ deliveries: (await readDeliveries(ctx)).reverse().slice(0, request.query.limit) }),
  );

  api.get(
    "/api/v1/runs/:runId/log",
    {
      schema: {
        summary: "The tail of a run's log (msf.log), a line per record",
        params: RunParamsSchema,
        querystring: z.object({ lines: z.coerce.number().int().min(1).max(500).default(40) }),
        response: { 200: z.object({ lines: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      const run = await runOf(ctx, request.params.runId);
      return { lines: await tailLog(join(run.dir, "msf.log"), request.query.lines) };
    },
  );

  api.get(
    "/api/v1/runs/:runId/artifacts/*",
    { schema: { summary: "A file of the run (logs, diagnostics, report formats), streamed with its content type", params: ArtifactParamsSchema } },
    async (request, reply) => {
      const run = await runOf(ctx, request.params.runId);
      const relative = request.params["*"];
      const type = artifactType(relative);
      if ("refused" in type) throw new MsfError("ERR_MSF_USAGE", `${relative}: ${type.refused}`);
      const file = await resolveInside(run.dir, relative);
      if (!file) throw new MsfError("ERR_MSF_NOT_FOUND", `run ${run.runId} has no ${relative}`);
      return reply.type(type.type).header("x-content-type-options", "nosniff").send(createReadStream(file));
    },
  );
}
