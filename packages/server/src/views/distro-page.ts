import { CELL_LABEL, type CellKind, type CheckTrend, cellKind, changeLine, checkCounts, checkTrends, escapeMarkup as e } from "@msf/report";
import type { ImageRow } from "@msf/run";
import type { DistributionHistory, ResultOf } from "../history.ts";
import { table } from "./layout.ts";

export const cell = (kind: CellKind) => `<span class="cell ${kind}">${e(CELL_LABEL[kind])}</span>`;
export const runLink = (runId: string) => `<a href="/runs/${e(runId)}">${e(runId)}</a>`;

/** Runs a trend chart shows, newest last. */
const TREND_RUNS = 50;
/** The pass rate line is over this many runs at each point. */
const PASS_RATE_WINDOW = 5;

/** A distribution's page: last good, first bad and what changed between them, its trend, then every result. */
export function distroBody(history: DistributionHistory, results: ResultOf[], images: readonly ImageRow[] = []): string {
  const firstBad = results.find((r) => r.runId === history.firstBad)?.distribution.changes;
  const changed = firstBad?.packages.length ? `<ul id="changes">${firstBad.packages.map((p) => `<li>${e(changeLine(p))}</li>`).join("")}</ul>` : "";
  const newly = firstBad?.newlyFailing.length ? `<p>newly failing: ${firstBad.newlyFailing.map((id) => `<code>${e(id)}</code>`).join(", ")}</p>` : "";
  const summary = `<p>last good ${history.lastGood ? runLink(history.lastGood) : "none"} · first bad ${history.firstBad ? runLink(history.firstBad) : "none"} · passed ${history.passRate.passed} of ${history.passRate.runs} runs</p>${newly}${changed}`;
  const rows = results.map((r) => {
    const counts = checkCounts(r.distribution);
    return [runLink(r.runId), cell(cellKind(r.distribution)), counts.total ? `${counts.passed}/${counts.total}` : "-", e(r.finishedAt ?? "-")];
  });
  return summary + trendChart(results) + checksOverTime(results) + table(["run", "verdict", "checks", "finished"], rows, ` id="history"`) + imagesTable(images);
}

const TREND_CLASS: Record<CheckTrend, string> = {
  passing: "passed",
  fixed: "passed",
  regression: "product",
  "still-failing": "product",
  failing: "product",
  flaky: "infrastructure",
};

/** Pure: each check of the newest run, its trend (a new failure, still failing, fixed, flaky) and its last verdicts. */
function checksOverTime(results: readonly ResultOf[]): string {
  const trends = checkTrends(results.map((r) => r.distribution));
  if (!trends.length) return "";
  const rows = trends.map(({ id, trend, recent }) => [
    `<code>${e(id)}</code>`,
    `<span class="cell ${TREND_CLASS[trend]}">${e(trend)}</span>`,
    `<span class="recent" title="newest first">${recent.map((passed) => (passed ? "✓" : "✗")).join(" ")}</span>`,
  ]);
  return `<h2>Checks over time</h2>${table(["check", "trend", "last runs"], rows, ` id="check-trends"`)}`;
}

/** Pure: the distribution's cached images, newest first: the stack's versions in each, and which is pinned as last good. */
function imagesTable(images: readonly ImageRow[]): string {
  if (!images.length) return "";
  const rows = images.map((image) => [
    `<code>${e(image.key)}</code>${image.pinned ? ' <span class="cell passed">last good</span>' : ""}`,
    e(image.builtAt.slice(0, 16).replace("T", " ")),
    e(
      image.stack
        .filter((v) => v.version)
        .map((v) => `${v.component} ${v.version}`)
        .join(", ") || "-",
    ),
    image.lastRun ? runLink(image.lastRun) : "-",
  ]);
  return `<h2>Images</h2>${table(["image", "built", "versions", "last run"], rows, ` id="images"`)}`;
}

/**
 * Pure: an inline SVG of the newest runs, oldest left: a bar per run as tall as its time and
 * coloured by its verdict, and the pass rate over the last few runs as a line.
 */
export function trendChart(newestFirst: readonly ResultOf[]): string {
  const runs = newestFirst.slice(0, TREND_RUNS).reverse();
  if (runs.length < 2) return "";
  const [width, height, step] = [600, 120, 600 / runs.length];
  const times = runs.map((r) => r.distribution.phases.reduce((sum, p) => sum + (p.durationMs ?? 0), 0));
  const longest = Math.max(...times, 1);
  const bars = runs.map((r, i) => {
    const h = Math.max(2, ((times[i] ?? 0) / longest) * (height - 10));
    const label = `${r.runId}: ${CELL_LABEL[cellKind(r.distribution)]}, ${((times[i] ?? 0) / 1000).toFixed(0)} s`;
    return `<rect class="${cellKind(r.distribution)}" x="${(i * step + 1).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${e(label)}</title></rect>`;
  });
  const rate = runs.map((_, i) => {
    const window = runs.slice(Math.max(0, i - PASS_RATE_WINDOW + 1), i + 1);
    const passed = window.filter((r) => cellKind(r.distribution) === "passed").length / window.length;
    return `${(i * step + step / 2).toFixed(1)},${(height - passed * (height - 10)).toFixed(1)}`;
  });
  return `<figure><svg id="trend" class="trend" viewBox="0 0 ${width} ${height}" role="img" aria-label="time and verdict of the last ${runs.length} runs; the line is the pass rate">
${bars.join("\n")}
<polyline class="rate" points="${rate.join(" ")}"/></svg>
<figcaption class="muted">The last ${runs.length} runs, oldest left: bar height is the run's time (longest ${(longest / 1000).toFixed(0)} s), colour its verdict; the line is the pass rate over ${PASS_RATE_WINDOW} runs.</figcaption></figure>`;
}
