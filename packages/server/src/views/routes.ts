import { MsfError } from "@msf/core";
import { CELL_LABEL, type CellKind, cellKind, checkCounts, escapeMarkup as e } from "@msf/report";
import { imagesList, pageRuns, readRunSnapshot } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type DeliveryRecord, readDeliveries } from "../alerting.ts";
import { reportOf, runOf, runReportOf } from "../api/index.ts";
import { listArtifacts } from "../artifacts.ts";
import { distributionHistories, type ResultOf } from "../history.ts";
import { newestResults, readResults } from "../results.ts";
import { RunParamsSchema } from "../schemas.ts";
import { APP_CSS, APP_JS } from "./assets.ts";
import { cell, distroBody, runLink } from "./distro-page.ts";
import { page, table } from "./layout.ts";
import { checkBody, runBody } from "./run-page.ts";

const latestResults = async (ctx: MsfContext) => newestResults(await readResults(ctx));

/** Starts a run through POST /api/v1/runs (app.js sends it as JSON). */
const START_FORM = `<form id="start"><label>distributions <input name="distros" placeholder="debian-12,debian-13 (empty: the configured matrix)" pattern="[a-z0-9.,-]*"></label>
<button type="submit">Start a run</button> <span id="start-result" role="status"></span></form>`;

const RUN_STATUS_CLASS = { passed: "passed", failed: "product", running: "running", interrupted: "not-run" } as const;

function matrixBody(rows: ResultOf[]): string {
  if (!rows.length) return `<p class="muted">No runs yet: <code>msf run</code> starts one.</p>`;
  return table(
    ["distribution", "verdict", "checks", "run", "finished"],
    rows.map(({ runId, finishedAt, distribution }) => {
      const counts = checkCounts(distribution);
      const fresh = distribution.changes?.newlyFailing ?? [];
      return [
        `<a href="/distros/${e(distribution.id)}">${e(distribution.name)}</a>`,
        cell(cellKind(distribution)) + (fresh.length ? `<span class="new" title="${e(fresh.join(", "))}">new</span>` : ""),
        counts.total ? `${counts.passed}/${counts.total}` : "-",
        runLink(runId),
        e(finishedAt ?? "-"),
      ];
    }),
    ` id="matrix"`,
  );
}

/** Alerts that did not reach a channel, newest first: shown until a later alert reaches it. */
function undeliveredAlerts(deliveries: readonly DeliveryRecord[]): string {
  const newest = new Map<string, DeliveryRecord>();
  for (const delivery of deliveries) newest.set(delivery.channel, delivery);
  const failed = [...newest.values()].filter((d) => !d.delivered);
  if (!failed.length) return "";
  const items = failed.map((d) => `<li>${e(d.kind)} of ${e(d.distro)} (run ${e(d.runId)}) did not reach ${e(d.channel)}: ${e(d.error ?? "")}</li>`);
  return `<section id="alert-failures" class="warning"><strong>Alerts not delivered</strong><ul>${items.join("")}</ul></section>`;
}

/** A small status badge for READMEs and wikis. */
function badge(label: string, kind: CellKind | "unknown"): string {
  const colour = { passed: "#1a7f37", product: "#cf222e", infrastructure: "#9a6700", partial: "#6e7781", "not-run": "#6e7781", unknown: "#6e7781" }[kind];
  const value = kind === "unknown" ? "no run" : CELL_LABEL[kind];
  const [left, right] = [label.length * 7 + 10, value.length * 7 + 10];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${e(label)}: ${e(value)}">
<rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${colour}"/>
<g fill="#fff" font-family="Verdana,sans-serif" font-size="11"><text x="5" y="14">${e(label)}</text><text x="${left + 5}" y="14">${e(value)}</text></g></svg>
`;
}

export function registerViews(app: FastifyInstance, ctx: MsfContext): void {
  const html = "text/html; charset=utf-8";
  app.get("/assets/app.css", { schema: { hide: true } }, (_request, reply) => reply.type("text/css; charset=utf-8").send(APP_CSS));
  app.get("/assets/app.js", { schema: { hide: true } }, (_request, reply) => reply.type("text/javascript; charset=utf-8").send(APP_JS));

  app.get("/", { schema: { hide: true } }, async (_request, reply) =>
    reply.type(html).send(page("Compatibility matrix", undeliveredAlerts(await readDeliveries(ctx)) + matrixBody(await latestResults(ctx)) + START_FORM)),
  );

  app.get("/runs", { schema: { hide: true, querystring: z.object({ before: z.string().max(64).optional() }) } }, async (request, reply) => {
    const { before } = request.query as { before?: string };
    const { runs, next } = await pageRuns(ctx, { limit: 50, before });
    const rows = runs.map(({ summary }) => [
      runLink(summary.runId),
      `<span class="cell ${RUN_STATUS_CLASS[summary.status]}">${e(summary.status)}</span>`,
      e(summary.matrix.join(", ")),
      `${summary.done}/${summary.total}`,
    ]);
    const more = next ? `<p><a href="/runs?before=${e(next)}">older runs</a></p>` : "";
    return reply.type(html).send(page("Runs", table(["run", "status", "distributions", "tasks done"], rows, ` id="runs"`) + more));
  });

  app.get("/runs/:runId", { schema: { hide: true, params: RunParamsSchema } }, async (request, reply) => {
    const { runId: asked } = request.params as { runId: string };
    const run = await runOf(ctx, asked);
    if (asked === "latest") return reply.redirect(`/runs/${run.runId}`);
    // The page's event stream starts after the journal line it is drawn from: no event falls between.
    const { snapshot, journalLines } = await readRunSnapshot(ctx, run);
    const report = snapshot.status === "running" ? undefined : await reportOf(ctx, run.runId).catch(() => undefined);
    return reply.type(html).send(page(`Run ${run.runId}`, runBody(run.runId, snapshot, report), { runId: run.runId, after: `${run.runId}:${journalLines}` }));
  });

  app.get(
    "/runs/:runId/checks/:distro/:check",
    { schema: { hide: true, params: RunParamsSchema.extend({ distro: z.string().max(64), check: z.string().max(128) }) } },
    async (request, reply) => {
      const { runId, distro, check: checkId } = request.params as { runId: string; distro: string; check: string };
      const { run, report } = await runReportOf(ctx, runId);
      const distribution = report.distributions.find((d) => d.id === distro);
      const check = distribution?.checks.find((c) => c.id === checkId);
      if (!distribution || !check) throw new MsfError("ERR_MSF_NOT_FOUND", `run ${report.runId} has no check ${checkId} for ${distro}`);
      const diagnostics = distribution.diagnostics ? await listArtifacts(run.dir, distribution.diagnostics) : [];
      return reply.type(html).send(page(`${check.id} on ${distribution.name}`, checkBody(report.runId, distribution, check, diagnostics)));
    },
  );

  app.get("/distros/:distro", { schema: { hide: true, params: z.object({ distro: z.string().max(64) }) } }, async (request, reply) => {
    const { distro } = request.params as { distro: string };
    const results = (await readResults(ctx)).filter((r) => r.distribution.id === distro);
    const [history] = distributionHistories(results);
    if (!history)
      return reply
        .code(404)
        .type(html)
        .send(page(`No run of ${distro}`, `<p class="muted">No finished run includes ${e(distro)}.</p>`));
    return reply.type(html).send(page(history.name, distroBody(history, results, await imagesList(ctx, [distro]))));
  });

  app.get("/distros/:distro/latest", { schema: { hide: true, params: z.object({ distro: z.string().max(64) }) } }, async (request, reply) => {
    const { distro } = request.params as { distro: string };
    const found = (await latestResults(ctx)).find((l) => l.distribution.id === distro);
    if (!found)
      return reply
        .code(404)
        .type(html)
        .send(page(`No run of ${distro}`, `<p class="muted">No finished run includes ${e(distro)}.</p>`));
    return reply.redirect(`/runs/${found.runId}`);
  });

  app.get("/badges/:distro", { schema: { hide: true, params: z.object({ distro: z.string().regex(/^[a-z0-9.-]{1,64}\.svg$/) }) } }, async (request, reply) => {
    const distro = (request.params as { distro: string }).distro.replace(/\.svg$/, "");
    const found = (await latestResults(ctx)).find((l) => l.distribution.id === distro);
    return reply
      .type("image/svg+xml")
      .header("cache-control", "no-cache")
      .send(badge(distro, found ? cellKind(found.distribution) : "unknown"));
  });
}
