import { once } from "node:events";
import type { MsfContext } from "@msf/supervisor";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { followJournals, journalsEnd, parseEventId } from "../journal-follow.ts";
import { jsonObject } from "../json-line.ts";

/** Live events: every journal line as it is written, as Server-Sent Events. */
export function registerEvents(app: FastifyInstance, ctx: MsfContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // The event id is `runId:line`: a reconnect with Last-Event-ID resumes after the last line it
  // saw; a page passes the line it was drawn from as `after`.
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
          const sent = reply.raw.write(
            `id: ${line.runId}:${line.line}\nevent: journal\ndata: ${JSON.stringify({ runId: line.runId, ...(jsonObject(line.text) ?? { text: line.text }) })}\n\n`,
          );
          // A slow client: wait until it has taken what was sent, rather than buffering without end.
          if (!sent) await once(reply.raw, "drain", { signal: abort.signal }).catch(() => undefined);
        }
      } finally {
        clearInterval(heartbeat);
        reply.raw.end();
      }
    },
  );
}
