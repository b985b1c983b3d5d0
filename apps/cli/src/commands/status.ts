import { watch } from "node:fs";
import { join } from "node:path";
import { findRun, listProcesses, type RunStatus, readJournal, replayJournal } from "@msf/orchestrator";
import type { CommandEnv } from "../commands.ts";
import { seconds, table } from "../format.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const summary = await findRun(ctx, args[0] as string | undefined);
  const journal = join(summary.dir, "journal.ndjson");
  const show = async () => {
    const status = replayJournal(await readJournal(journal));
    const { processes } = await listProcesses(ctx);
    reporter.result({ runId: summary.runId, ...status, processes }, render(summary.runId, status, processes));
    return status;
  };
  const first = await show();
  if (!options.watch || first.status !== "running") return 0;
  // Redraw on every journal event (the orchestrator appends one per step): no fixed polling.
  await new Promise<void>((resolve) => {
    const watcher = watch(journal, async () => {
      if (!reporter.json) process.stdout.write("\x1b[2J\x1b[H");
      if ((await show()).status !== "running") {
        watcher.close();
        resolve();
      }
    });
    ctx.signal?.addEventListener("abort", () => {
      watcher.close();
      resolve();
    });
  });
  return 0;
}

function render(runId: string, status: RunStatus, processes: Array<{ name: string; pid: number; cpuSeconds: number; rssBytes: number }>): string {
  const now = Date.now();
  const rows = Object.entries(status.tasks).map(([id, t]) => [
    id,
    t.state,
    t.state === "running" && t.startedAt ? seconds(now - t.startedAt) : seconds(t.durationMs),
    (t.message ?? "").split("\n")[0] ?? "",
  ]);
  const procs = processes.map((p) => [p.name, String(p.pid), `${p.cpuSeconds.toFixed(1)} s`, `${Math.round(p.rssBytes / 1_048_576)} MiB`]);
  return [
    `run ${runId}: ${status.status}`,
    table(["task", "state", "time", "note"], rows),
    procs.length ? table(["process", "pid", "cpu", "memory"], procs) : "no supervised processes",
  ].join("\n\n");
}
