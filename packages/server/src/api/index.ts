import type { MsfContext } from "@msf/supervisor";
import type { FastifyInstance } from "fastify";
import type { RunLauncher } from "../launcher.ts";
import { registerActions } from "./actions.ts";
import { registerEvents } from "./events.ts";
import { registerReads } from "./reads.ts";

export { reportOf, runOf, runReportOf } from "./run-of.ts";

/** /api/v1: reads, live events and (with a launcher) actions. */
export function registerApi(app: FastifyInstance, ctx: MsfContext, launcher?: RunLauncher): void {
  registerReads(app, ctx);
  registerEvents(app, ctx);
  registerActions(app, ctx, launcher);
}
