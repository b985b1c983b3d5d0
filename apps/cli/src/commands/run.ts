import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { expectedDurations, hostBudget, loadRunConfig, narrowPlan, PHASES, type Phase, planRun, type RunEvent, runMatrix, simulate } from "@msf/run";
import type { CommandEnv } from "../commands.ts";
import { seconds, table } from "../format.ts";
import type { Reporter } from "../reporter.ts";

export async function run({ reporter, ctx, options }: CommandEnv): Promise<number> {
  const { config, source } = await loadRunConfig({ cwd: process.cwd(), file: options.config as string | undefined });
  if (options.matrix) config.matrix = options.matrix === "default" || options.matrix === "seed" ? options.matrix : String(options.matrix).split(",");
  if (options.mirror) config.mirror = options.mirror as string;
  const distros = options.distro ? String(options.distro).split(",") : undefined;
  const phase = options.phase as Phase | undefined;
  if (phase && !PHASES.includes(phase)) throw new MsfError("ERR_MSF_USAGE", `--phase must be one of ${PHASES.join(", ")}, not ${phase}`);
  if (options.dryRun) {
    const plan = planRun({ config, host: await hostBudget(ctx), history: await expectedDurations(ctx) });
    return dryRun(reporter, narrowPlan(plan, distros, phase), source);
  }
  const result = await runMatrix(ctx, {
    config,
    distros,
    phase,
    resume: Boolean(options.resume),
    onEvent: (event) => reporter.event(event, describe(event, reporter)),
  });
  const summary = await readFile(join(result.reportDir, "report.md"), "utf8").catch(() => "");
  const matrix = summary
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .join("\n");
  reporter.result(
    result,
    `${matrix}\n\nrun ${result.runId}: ${result.status}\nreport: ${join(result.reportDir, "index.html")} (also report.md, report.json, junit.xml)`,
  );
  return result.status === "passed" ? 0 : result.status === "interrupted" ? 130 : 12;
}

function dryRun(reporter: Reporter, plan: ReturnType<typeof planRun>, source: string | undefined): number {
  const { starts, makespanMs } = simulate(plan);
  const rows = [...plan.tasks]
    .sort((a, b) => (starts[a.id] ?? 0) - (starts[b.id] ?? 0))
    .map((t) => [seconds(starts[t.id]), t.id, t.deps.join(",") || "-", `${t.resources.memoryMiB} MiB/${t.resources.cpus} cpu`, seconds(t.timeoutMs), t.action]);
  reporter.result(
    { plan, expectedMakespanMs: makespanMs, config: source ?? null },
    `${table(["starts", "task", "after", "needs", "timeout", "does"], rows)}\n\n${plan.tasks.length} tasks, budget ${plan.budget.memoryMiB} MiB / ${plan.budget.cpus} CPUs, expected ${seconds(makespanMs)}; nothing was changed (--dry-run)`,
  );
  return 0;
}

function describe(event: RunEvent, reporter: Reporter): string | undefined {
  switch (event.type) {
    case "run-planned":
      return `${event.resumed ? "resuming" : "starting"} run ${event.runId}: ${event.matrix.join(", ")} (${event.tasks} tasks) in ${event.dir}`;
    case "task-started":
      return `▶ ${event.task} (limit ${seconds(event.timeoutMs)})`;
    case "task-finished":
      return event.status === "done"
        ? `${reporter.paint("32", "✓")} ${event.task} ${seconds(event.durationMs)}`
        : `${reporter.paint("31", "✗")} ${event.task} ${event.status} after ${seconds(event.durationMs)}${event.message ? `: ${event.message.split("\n")[0]}` : ""}`;
    case "task-cleaned":
      return event.ok ? `  cleaned up after ${event.task}` : `  ${reporter.paint("33", "!")} cleaning up after ${event.task} failed: ${event.message}`;
    case "task-output":
      return undefined;
    case "run-finished":
      return undefined;
  }
}
