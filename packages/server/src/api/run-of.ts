import { findRun, loadRunReport } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import { ErrorSchema } from "../schemas.ts";

/** A run id as the API takes it: `latest` is the newest run. */
const idOf = (runId: string) => (runId === "latest" ? undefined : runId);

/** The run an id names. */
export const runOf = (ctx: MsfContext, runId: string) => findRun(ctx, idOf(runId));

/** The run an id names and its report.json, validated (404 while it has none). */
export const runReportOf = (ctx: MsfContext, runId: string) => loadRunReport(ctx, idOf(runId));

/** The report.json of the run an id names. */
export const reportOf = async (ctx: MsfContext, runId: string) => (await runReportOf(ctx, runId)).report;

/** The answers every route may give besides its own. */
export const ERRORS = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };
