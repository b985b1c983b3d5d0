import { MsfError } from "@msf/core";
import { pageRuns } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { RunLauncher, StartRunRequest } from "../launcher.ts";
import { ErrorSchema, RerunSchema, RunParamsSchema, RunStartedSchema, StartRunSchema } from "../schemas.ts";
import { ERRORS as errors, runOf } from "./run-of.ts";

/** Start, rerun and cancel: a run is the real `msf run` (one per state directory: its lock answers 409 here). */
export function registerActions(app: FastifyInstance, ctx: MsfContext, launcher?: RunLauncher): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  /** 202 with the run's id once planned; 409 with the running run's id when the lock is held. */
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
        body: RerunSchema,
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
}
