import { watch } from "node:fs";
import { join } from "node:path";
import { findRun, type RunStatusSnapshot, runStatusSnapshot } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { seconds, table } from "../format.ts";
import { flag } from "../values.ts";

export default command(z.object({ runId: z.string().optional(), watch: flag }), async ({ reporter, ctx, input }) => {
  const summary = await findRun(ctx, input.runId);
  const show = async () => {
    const snapshot = await runStatusSnapshot(ctx, summary);
    reporter.result(snapshot, render(snapshot));
    return snapshot;
  };
  const first = await show();
  if (!input.watch || first.status !== "running") return EXIT_OK;
  // Redraw on every journal event (the run appends one per step): no fixed polling.
  await new Promise<void>((resolve) => {
    let drawing = Promise.resolve();
    const redraw = () => {
      drawing = drawing.then(async () => {
        reporter.clearScreen();
        if ((await show()).status !== "running") stop();
      });
    };
    const watcher = watch(join(summary.dir, "journal.ndjson"), redraw);
    const stop = () => {
      watcher.close();
      resolve();
    };
    ctx.signal?.addEventListener("abort", stop);
    redraw(); // the run may have ended before the watch began
  });
  return EXIT_OK;
});

function render(snapshot: RunStatusSnapshot): string {
  const distributions = snapshot.distributions.map((d) => [
    d.distro,
    d.phase,
    d.state,
    seconds(d.elapsedMs),
    d.timeoutLeftMs === undefined ? "-" : seconds(d.timeoutLeftMs),
    d.vm
      ? `${d.vm.status}${d.vm.lastReadinessPhase ? ` (${d.vm.lastReadinessPhase}${d.vm.readyMs ? ` in ${seconds(d.vm.readyMs)}` : ""})` : ""}`
      : d.worker
        ? `on worker ${d.worker}`
        : "-",
    d.checks ? `${d.checks.passed} passed, ${d.checks.failed} failed` : "-",
  ]);
  const procs = snapshot.processes.map((p) => [p.name, String(p.pid), `${p.cpuSeconds.toFixed(1)} s`, `${Math.round(p.rssBytes / 1_048_576)} MiB`]);
  return [
    `run ${snapshot.runId}: ${snapshot.status}`,
    table(["distribution", "phase", "state", "elapsed", "timeout left", "vm", "checks"], distributions),
    procs.length ? table(["process", "pid", "cpu", "memory"], procs) : "no supervised processes",
    `media cache: ${snapshot.media.files} files, ${(snapshot.media.bytes / 1_073_741_824).toFixed(2)} GiB`,
  ].join("\n\n");
}
