import { escapeMarkup as e } from "@msf/report";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ERRORS as errors } from "./api/run-of.ts";
import { type WorkerRow, WorkerRowSchema } from "./schemas.ts";
import { page, table } from "./views/layout.ts";

/** The queue's workers (msf serve --queue): what each offers, its state, what it runs now. */
export type WorkersSource = () => Promise<WorkerRow[]>;

const STATE_CLASS = { idle: "passed", busy: "running", lost: "product" } as const;

/** Pure: the workers page's body. */
export function workersBody(workers: WorkerRow[] | undefined, now: number): string {
  if (!workers) return `<p class="muted">This server has no queue: <code>msf serve --queue redis://host:6379</code> runs the matrix on workers.</p>`;
  if (!workers.length) return `<p class="muted">No worker has registered: <code>msf worker --queue &lt;url&gt;</code> on each test host.</p>`;
  return table(
    ["worker", "host", "state", "offers", "slots used", "running", "seen"],
    workers.map((w) => [
      e(w.id),
      e(w.host),
      `<span class="cell ${STATE_CLASS[w.state]}">${w.state}</span>`,
      e(`${w.accel} ${w.arch}, ${w.cpus} CPUs, ${Math.round(w.memoryMiB / 1024)} GiB, ${Math.round(w.diskFreeMiB / 1024)} GiB free`),
      `${w.holding.length}/${w.slots}`,
      e(w.current.join(", ") || "-"),
      `${Math.round((now - w.seenAt) / 1000)} s ago`,
    ]),
    ` id="workers"`,
  );
}

export function registerWorkers(app: FastifyInstance, workers: WorkersSource | undefined): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/workers",
    {
      schema: {
        summary: "The queue's workers (msf serve --queue): capabilities, state (idle, busy, lost), the steps each runs; queue false without a queue",
        response: { 200: z.object({ queue: z.boolean(), workers: z.array(WorkerRowSchema) }), ...errors },
      },
    },
    async () => ({ queue: Boolean(workers), workers: (await workers?.()) ?? [] }),
  );
  app.get("/workers", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(page("Workers", workersBody(await workers?.(), Date.now()))),
  );
}
