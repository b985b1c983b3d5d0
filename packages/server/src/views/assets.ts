// The dashboard's only stylesheet and script, served from this server (the CSP allows nothing else).

export const APP_CSS = `:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--product:#cf222e;--infra:#9a6700;--none:#6e7781}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--ok:#3fb950;--product:#f85149;--infra:#d29922;--none:#8d96a0}}
:root[data-theme=dark]{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--ok:#3fb950;--product:#f85149;--infra:#d29922;--none:#8d96a0}
body{margin:0;font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
header nav{flex:1}a{color:inherit}.brand{font-weight:700;text-decoration:none}
main{padding:1rem;max-width:80rem;margin:auto;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line)}
.cell{font-weight:600}.passed{color:var(--ok)}.product{color:var(--product)}.infrastructure{color:var(--infra)}.not-run,.partial,.pending{color:var(--none)}
.done{color:var(--ok)}.failed,.timed-out,.interrupted{color:var(--product)}.skipped{color:var(--none)}
.running{color:var(--infra)}.new{background:var(--product);color:var(--bg);border-radius:3px;padding:0 .3rem;font-size:.8em;margin-left:.4rem}
.muted{color:var(--muted)}
form{margin-top:1.5rem}input{min-width:18rem;max-width:100%}
pre.log{background:color-mix(in srgb,var(--fg) 6%,transparent);padding:.6rem;overflow-x:auto;max-height:28rem;font-size:.85em;white-space:pre-wrap}
.trend{width:100%;max-width:40rem;height:auto}.trend rect.passed{fill:var(--ok)}.trend rect.product{fill:var(--product)}
.trend rect.infrastructure{fill:var(--infra)}.trend rect.partial,.trend rect.not-run{fill:var(--none)}.trend .rate{fill:none;stroke:var(--fg);stroke-width:1.5}
h2 button{margin-left:1rem;font-size:.7em}
.warning{border:1px solid var(--product);border-radius:4px;padding:.4rem .8rem;margin-bottom:1rem}
@media (max-width:40rem){body{font-size:14px}main{padding:.5rem}th,td{padding:.3rem}input{min-width:0;width:100%}}
`;

export const APP_JS = `"use strict";
// Theme: the system's unless toggled; the choice is kept in this browser.
const root = document.documentElement;
const saved = localStorage.getItem("msf-theme");
if (saved) root.dataset.theme = saved;
document.getElementById("theme")?.addEventListener("click", () => {
  const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "light" : "dark";
  localStorage.setItem("msf-theme", root.dataset.theme);
});
// Actions: JSON to the API (a cross-site form cannot send JSON without CORS, which this server never allows).
async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
}
document.getElementById("start")?.addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const distros = new FormData(submit.target).get("distros").split(",").map((d) => d.trim()).filter(Boolean);
  const answer = await post("/api/v1/runs", distros.length ? { distros } : {});
  const out = document.getElementById("start-result");
  if (answer.ok) location.href = "/runs/" + encodeURIComponent(answer.body.runId);
  else out.textContent = answer.status === 409 ? "run " + answer.body.runId + " is running" : answer.body.message || "failed (" + answer.status + ")";
});
document.getElementById("cancel")?.addEventListener("click", async () => {
  const answer = await post("/api/v1/runs/" + encodeURIComponent(document.body.dataset.run) + "/cancel", {});
  document.getElementById("cancel-result").textContent = answer.ok ? "cancelling" : answer.body.message || "failed";
});
document.getElementById("login")?.addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const answer = await post("/login", { token: new FormData(submit.target).get("token") });
  if (answer.status === 204) location.href = submit.target.dataset.next;
  else document.getElementById("login-result").textContent = answer.body.message || "failed (" + answer.status + ")";
});
for (const button of document.querySelectorAll("button.rerun")) {
  button.addEventListener("click", async () => {
    const answer = await post("/api/v1/runs/" + encodeURIComponent(document.body.dataset.run) + "/rerun", { distro: button.dataset.distro });
    if (answer.ok) location.href = "/runs/" + encodeURIComponent(answer.body.runId);
    else button.after(" " + (answer.status === 409 ? "run " + answer.body.runId + " is running" : answer.body.message || "failed"));
  });
}
// While a run runs, its page shows the tail of its log, read again every two seconds.
const tail = document.getElementById("log-tail");
async function readTail() {
  const response = await fetch("/api/v1/runs/" + encodeURIComponent(document.body.dataset.run) + "/log?lines=30");
  if (response.ok) tail.textContent = (await response.json()).lines.join("\\n");
}
const tailTimer = tail && setInterval(readTail, 2000);
if (tail) readTail();
// A run's page follows its journal: each task row takes the state of the newest event.
const run = document.body.dataset.run;
if (run) {
  const events = new EventSource("/api/v1/events?after=" + encodeURIComponent(document.body.dataset.after));
  events.addEventListener("journal", (message) => {
    const event = JSON.parse(message.data);
    if (event.runId !== run) return;
    if (event.type === "run-finished") {
      document.getElementById("run-status").textContent = event.status;
      document.getElementById("cancel")?.remove();
      clearInterval(tailTimer);
      if (tail) readTail();
      return;
    }
    const row = event.task && document.querySelector('[data-task="' + CSS.escape(event.task) + '"]');
    if (!row) return;
    const state = event.type === "task-started" ? "running" : event.status;
    row.querySelector(".state").textContent = state;
    row.querySelector(".state").className = "state " + state;
    if (event.durationMs !== undefined) row.querySelector(".time").textContent = (event.durationMs / 1000).toFixed(1) + " s";
  });
}
`;
