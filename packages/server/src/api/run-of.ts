import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { parseReport } from "@msf/report";
import { findRun } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import { ErrorSchema } from "../schemas.ts";

/** The run an id names; `latest` is the newest. */
export const runOf = (ctx: MsfContext, runId: string) => findRun(ctx, runId === "latest" ? undefined : runId);

/** A run's report.json, validated. */
export async function reportOf(ctx: MsfContext, runId: string) {
  const run = await runOf(ctx, runId);
  const text = await readFile(join(run.reportDir, "report.json"), "utf8").catch(() => {
    throw new MsfError("ERR_MSF_NOT_FOUND", `run ${run.runId} has no report yet (${run.status})`);
  });
  return parseReport(text);
}

/** The answers every route may give besides its own. */
export const ERRORS = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };
