import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type AlertsConfig, alertFor, type Delivery, deliverAlert } from "@msf/alerts";
import type { MsfContext } from "@msf/supervisor";
import { followJournals, journalsEnd } from "./journal-follow.ts";
import { jsonObject } from "./json-line.ts";
import { readTail } from "./log-tail.ts";
import { readResults } from "./results.ts";

/** The deliveries log: every attempt's outcome, append-only, so nothing fails silently and nothing is sent twice. */
export const deliveriesPath = (ctx: MsfContext) => join(ctx.paths.state, "alerts", "deliveries.ndjson");

export interface DeliveryRecord extends Delivery {
  at: string;
  kind: string;
  distro: string;
  runId: string;
}

/** How much of the deliveries log is read: its newest thousand or so records (the log only grows). */
const RECENT_DELIVERIES_BYTES = 256 * 1024;

/** The newest deliveries recorded, oldest first (a line that is not one is skipped). */
export async function readDeliveries(ctx: MsfContext): Promise<DeliveryRecord[]> {
  const text = await readTail(deliveriesPath(ctx), RECENT_DELIVERIES_BYTES);
  return text.split("\n").flatMap((line) => (jsonObject(line) as DeliveryRecord | undefined) ?? []);
}

/** Sends the alerts a finished run calls for (each at most once per channel) and records every outcome. */
export async function alertOnRun(ctx: MsfContext, config: AlertsConfig, runId: string, signal?: AbortSignal): Promise<DeliveryRecord[]> {
  const results = await readResults(ctx);
  const delivered = (await readDeliveries(ctx)).filter((d) => d.delivered);
  const records: DeliveryRecord[] = [];
  for (const current of results.filter((r) => r.runId === runId)) {
    const earlier = results.filter((r) => r.distribution.id === current.distribution.id && r.runId < runId);
    const alert = alertFor(current, earlier, config.dashboardUrl);
    if (!alert) continue;
    // A run that finishes twice (interrupted, then resumed) does not send its alert again where it arrived.
    const skip = new Set(delivered.filter((d) => d.alertId === alert.id).map((d) => d.channel));
    for (const delivery of await deliverAlert(alert, config, { signal, skip })) {
      const record = { at: new Date().toISOString(), kind: alert.kind, distro: alert.distro, runId, ...delivery };
      if (!delivery.delivered) ctx.logger.warn("alert not delivered", { ...record });
      records.push(record);
    }
  }
  if (records.length) {
    await mkdir(dirname(deliveriesPath(ctx)), { recursive: true });
    await appendFile(deliveriesPath(ctx), records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  }
  return records;
}

/** Follows the journals from now on and calls `onFinished` after each run that finishes. */
export async function watchFinishedRuns(ctx: MsfContext, onFinished: (runId: string) => Promise<void>, signal: AbortSignal): Promise<void> {
  const from = await journalsEnd(ctx.paths.runs);
  for await (const line of followJournals(ctx.paths.runs, { from, signal })) {
    if (jsonObject(line.text)?.type !== "run-finished") continue;
    // The report is written just before run-finished; a failure here is logged, the watch goes on.
    await onFinished(line.runId).catch((error: Error) => ctx.logger.error("after a finished run", { runId: line.runId, error: error.message }));
  }
}
