import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { parseReport } from "@msf/report";
import { findRun, pageRuns, type RunSummary, runStatusSnapshot } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { artifactType, resolveInside } from "./artifacts.ts";
import { distributionHistories } from "./history.ts";
import { followJournals, journalsEnd, parseEventId } from "./journal-follow.ts";
import type { RunLauncher, StartRunRequest } from "./launcher.ts";
import { readResults } from "./results.ts";
import {
  ArtifactParamsSchema,
  CheckRowSchema,
  DistributionHistorySchema,
  ErrorSchema,
  ReportSchema,
  RunDetailSchema,
  RunPageSchema,
  RunParamsSchema,
  RunStartedSchema,
  RunsQuerySchema,
  StartRunSchema,
} from "./schemas.ts";

// /api/v1: the runs of one state directory as their journals and reports tell them.

const publicSummary = ({ runId, status, matrix, done, total }: RunSummary) => ({ runId, status, matrix, done, total });

/** A run's report.json, validated. */
async function reportOf(ctx: MsfContext, runId: string) {
  const run = await runOf(ctx, runId);
  const text = await readFile(join(run.reportDir, "report.json"), "utf8").catch(() => {
    throw new MsfError("ERR_MSF_NOT_FOUND", `run ${run.runId} has no report yet (${run.status})`);
  });
  return parseReport(text);
}

/** The run an id names; `latest` is the newest. */
export const runOf = (ctx: MsfContext, runId: string) => findRun(ctx, runId === "latest" ? undefined : runId);

export function registerApi(app: FastifyInstance, ctx: MsfContext, launcher?: RunLauncher): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };

  // Actions: a run is the real `msf run` (one per state directory: its lock answers 409 here).
  const startRun = async (reply: FastifyReply, request: StartRunRequest) => {
    if (!launcher) return reply.code(503).send({ code: "ERR_MSF_USAGE", message: "this server does not start runs" });
    try {
      return reply.code(202).send(await launcher.start(request));
    } catch (error) {
      if (!(error instanceof MsfError && error.code === "ERR_MSF_LOCKED")) throw error;
      const { runs } = await pageRuns(ctx, { limit: 1, where: (run) => run.summary.status === "running" });
      return reply.code(409).send({ code: error.code, message: error.message, hint: "wait for it, or cancel it", runId: runs[0]?.summary.runId });
    }
  };
  api.post(
    "/api/v1/runs",
    {
      schema: {
        summary: "Start a run (as msf run); 409 with the running run's id while one holds the state directory",
        body: StartRunSchema,
        response: { 202: RunStartedSchema, 409: ErrorSchema, 503: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => startRun(reply, request.body),
  );

  api.post(
    "/api/v1/runs/:runId/rerun",
    {
      schema: {
        summary: "Run one distribution of a run again (as msf run --distro); 409 while a run holds the state directory",
        params: RunParamsSchema,
        body: z.object({ distro: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/) }).strict(),
        response: { 202: RunStartedSchema, 409: ErrorSchema, 503: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const run = await runOf(ctx, request.params.runId);
      if (!run.matrix.includes(request.body.distro)) throw new MsfError("ERR_MSF_USAGE", `run ${run.runId} has no ${request.body.distro}`);
      return startRun(reply, { distros: [request.body.distro] });
    },
  );

  api.post(
    "/api/v1/runs/:runId/cancel",
    {
      schema: {
        summary: "Cancel a run this server started (Ctrl-C: its children end, its journal says interrupted)",
        params: RunParamsSchema,
        response: { 202: RunStartedSchema, 409: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      const run = await runOf(ctx, request.params.runId);
      if (launcher?.cancel(run.runId)) return reply.code(202).send({ runId: run.runId });
      return reply.code(409).send({
        code: "ERR_MSF_USAGE",
        message: `run ${run.runId} is not running from this server (${run.status})`,
        hint: "msf kill, or Ctrl-C where it runs",
      });
    },
  );

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
        summary: "Every distribution in the newest runs: its newest verdict, last good and first bad run, pass rate, median phase times",
        response: { 200: z.object({ distributions: z.array(DistributionHistorySchema) }), ...errors },
      },
    },
    async () => ({ distributions: distributionHistories(await readResults(ctx)) }),
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
      const run = await runOf(ctx, request.params.runId);
      const { runId, status, distributions, tasks } = await runStatusSnapshot(ctx, run);
      return { runId, status, distributions, tasks };
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

  // Server-Sent Events from the journals: the event id is `runId:line`, so a reconnect with
  // Last-Event-ID resumes after the last line it saw; a page passes the line it was drawn from as `after`.
  api.get(
    "/api/v1/events",
    {
      schema: {
        summary: "Journal events of every run as they are written (text/event-stream)",
        querystring: z.object({ after: z.string().max(100).optional().describe("runId:line: start after this journal line") }),
      },
    },
    async (request, reply) => {
      // The cursor is fixed before the answer starts: nothing written after the connection is missed.
      const from =
        parseEventId(request.headers["last-event-id"] as string | undefined) ?? parseEventId(request.query.after) ?? (await journalsEnd(ctx.paths.runs));
      const abort = new AbortController();
      request.raw.on("close", () => abort.abort());
      reply.hijack();
      reply.raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
      reply.raw.write("retry: 2000\n\n");
      const heartbeat = setInterval(() => reply.raw.write(": keep-alive\n\n"), 15_000);
      try {
        for await (const line of followJournals(ctx.paths.runs, { from, signal: abort.signal })) {
          reply.raw.write(`id: ${line.runId}:${line.line}\nevent: journal\ndata: ${JSON.stringify({ runId: line.runId, ...safeJson(line.text) })}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        reply.raw.end();
      }
    },
  );
}

/** A journal line as an object (a line that is not JSON is passed on as its text). */
function safeJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { text };
  } catch {
    return { text };
  }
}
