import { escapeMarkup as e } from "@msf/report";

/** Pure: a page of the dashboard; `body` is markup already escaped by its builder. */
export function page(title: string, body: string, options: { runId?: string; after?: string } = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · msf</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body${options.runId ? ` data-run="${e(options.runId)}" data-after="${e(options.after ?? "")}"` : ""}>
<header><a href="/" class="brand">msf</a><nav><a href="/">matrix</a> <a href="/runs">runs</a> <a href="/workers">workers</a> <a href="/api/v1/openapi.json">API</a></nav>
<button type="button" id="theme" aria-label="toggle the colour theme">theme</button></header>
<main><h1>${e(title)}</h1>
${body}
</main></body></html>
`;
}

/** Pure: a table from header and rows of markup (`rowAttributes` gives each row's, already escaped). */
export function table(header: string[], rows: string[][], attributes = "", rowAttributes: (index: number) => string = () => ""): string {
  const head = header.map((h) => `<th>${e(h)}</th>`).join("");
  const body = rows.map((row, index) => `<tr${rowAttributes(index)}>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`).join("\n");
  return `<table${attributes}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
