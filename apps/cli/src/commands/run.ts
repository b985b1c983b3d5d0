import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { canRun, openCoordinator, type QueueCoordinator, redactRedisUrl } from "@msf/queue";
import { matrixRows, parseReport, type UpgradeRow, upgradeCells } from "@msf/report";
import {
  chooseImages,
  hostBudget,
  loadRunConfig,
  MATRICES,
  narrowPlan,
  PHASES,
  planHistory,
  planRun,
  type RunConfig,
  type RunEvent,
  type RunPlan,
  runMatrix,
  simulate,
} from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { duration, seconds, table } from "../format.ts";
import type { Reporter } from "../reporters/index.ts";
import { flag, imageChoiceOptions, listValue, queueUrlOf } from "../values.ts";

const schema = z.object({
  distro: listValue.optional(),
  phase: z.enum(PHASES, { error: `expected one of ${PHASES.join(", ")}` }).optional(),
  matrix: z.string().optional(),
  mirror: z.url().optional(),
  config: z.string().optional(),
  resume: flag,
  dryRun: flag,
  reason: z.string().max(500).optional(),
  queue: z.string().optional(),
  kvmOnly: flag,
  snapshot: z.boolean().default(true),
  ...imageChoiceOptions,
});

export default command(schema, async ({ reporter, ctx, input, cwd }) => {
  const { config, source } = await loadRunConfig({ cwd, file: input.config });
  if (input.matrix) config.matrix = matrixOption(input.matrix);
  // --distro alone names the distributions to run, in the default matrix or not (debian-testing).
  else if (input.distro?.length) config.matrix = matrixOption(input.distro.join(","), "--distro");
  if (input.mirror) config.mirror = input.mirror;
  if (!input.snapshot) config.snapshots = false;
  config.images = {
    ...config.images,
    use: input.image ?? config.images.use,
    offline: input.offline || config.images.offline,
    refresh: input.refresh || config.images.refresh,
    acceptExpired: input.acceptExpired || config.images.acceptExpired,
  };
  if (input.dryRun) {
    const plan = narrowPlan(planRun({ config, host: await hostBudget(ctx), history: await planHistory(ctx) }), input.distro, input.phase);
    // The image each distribution would boot: the archive's state is part of the plan (under a second).
    return dryRun(reporter, await chooseImages(ctx, plan, config, (event) => reporter.event(event, describe(event, reporter))), source);
  }
  // What runs now, for plain output's line every 30 s (a log of msf run never sits silent for minutes).
  const running = new Map<string, number>();
  const stop = reporter.keepAlive(() => {
    const now = Date.now();
    return running.size ? `running ${[...running].map(([task, since]) => `${task} (${duration(now - since)})`).join(", ")}` : "between tasks";
  });
  const queue = await queueOf(input, ctx.env, reporter);
  const result = await runMatrix(ctx, {
    config,
    distros: input.distro,
    phase: input.phase,
    resume: input.resume,
    reason: input.reason,
    ...(queue && { runner: ({ runDir, plan }) => queue.runner({ runDir, plan, config }), budget: () => queue.budget() }),
    onEvent: (event) => {
      if (event.type === "task-started") running.set(event.task, Date.now());
      if (event.type === "task-finished") running.delete(event.task);
      reporter.event(event, describe(event, reporter));
    },
  }).finally(async () => {
    stop();
    await queue?.close();
  });
  const report = await readFile(join(result.reportDir, "report.json"), "utf8").then(parseReport, () => undefined);
  const matrix = report ? matrixRows(report) : undefined;
  reporter.result(
    result,
    [
      matrix ? table(matrix.header, matrix.rows) : "no report (the run was interrupted before it)",
      ...upgradeTable(report?.upgrades ?? []),
      "",
      `run ${result.runId}: ${result.status}`,
      `report: ${join(result.reportDir, "index.html")} (also report.md, report.json, junit.xml)`,
    ].join("\n"),
  );
  return result.status === "passed" ? EXIT_OK : exitFor(result.status === "interrupted" ? "ERR_MSF_ABORTED" : "ERR_MSF_CHECKS_FAILED");
});

/** --queue (or $MSF_QUEUE): the run's steps go to the workers of that Redis; --kvm-only: only to those with KVM. */
async function queueOf(input: { queue?: string; kvmOnly: boolean }, env: NodeJS.ProcessEnv, reporter: Reporter): Promise<QueueCoordinator | undefined> {
  const url = queueUrlOf(input.queue, env);
  if (!url) {
    if (input.kvmOnly) throw new MsfError("ERR_MSF_USAGE", "--kvm-only routes a queued run's steps", { hint: "add --queue redis://host:6379" });
    return undefined;
  }
  const queue = await openCoordinator({ url, accel: input.kvmOnly ? "kvm" : "any" });
  if (queue.warning) reporter.event({ type: "warning", message: queue.warning }, queue.warning);
  const live = (await queue.workers()).filter((w) => w.state !== "lost");
  if (!live.some((w) => canRun(w, { accel: input.kvmOnly ? "kvm" : "any", memoryMiB: 0 }))) {
    await queue.close();
    throw new MsfError("ERR_MSF_NO_WORKER", `no worker${input.kvmOnly ? " with KVM" : ""} is up on the queue ${redactRedisUrl(url)}`, {
      hint: "start msf worker --queue <url> on a test host (msf workers lists them)",
    });
  }
  reporter.event(
    { type: "queue-workers", workers: live.map((w) => w.id) },
    `queue ${redactRedisUrl(url)}: ${live.length} worker(s) up${live.length ? ` (${live.map((w) => `${w.id} ${w.accel}`).join(", ")})` : ""}`,
  );
  return queue;
}

/** --matrix: a named matrix or catalog ids, each checked. */
function matrixOption(value: string, option = "--matrix"): RunConfig["matrix"] {
  if ((MATRICES as readonly string[]).includes(value)) return value as RunConfig["matrix"];
  const ids = value.split(",").map((id) => id.trim());
  const unknown = ids.filter((id) => !findDistribution(id));
  if (unknown.length) {
    throw new MsfError("ERR_MSF_USAGE", `${option}: no distribution ${unknown.join(", ")} in the catalog`, {
      hint: `a matrix (${MATRICES.join(", ")}) or ids from msf iso list`,
    });
  }
  return ids;
}

function dryRun(reporter: Reporter, plan: RunPlan, source: string | undefined): number {
  const { starts, makespanMs } = simulate(plan);
  const rows = [...plan.tasks]
    .sort((a, b) => (starts[a.id] ?? 0) - (starts[b.id] ?? 0))
    .map((t) => [seconds(starts[t.id]), t.id, t.deps.join(",") || "-", `${t.resources.memoryMiB} MiB/${t.resources.cpus} cpu`, seconds(t.timeoutMs), t.action]);
  reporter.result(
    { plan, expectedMakespanMs: makespanMs, config: source ?? null },
    `${table(["starts", "task", "after", "needs", "timeout", "does"], rows)}\n\n${plan.tasks.length} tasks, budget ${plan.budget.memoryMiB} MiB / ${plan.budget.cpus} CPUs (${plan.cpusBecause}), expected ${seconds(makespanMs)}; nothing was changed (--dry-run)`,
  );
  return EXIT_OK;
}

function describe(event: RunEvent, reporter: Reporter): string | undefined {
  switch (event.type) {
    case "archive-checked":
      return `archive checked in ${seconds(event.ms)}: ${event.images.map((i) => `${i.distro} → image ${i.key} (${i.suites.map((s) => `${s.suite} ${s.date.slice(0, 10)}`).join(", ")})`).join("; ")}`;
    case "run-planned":
      return `${event.resumed ? "resuming" : "starting"} run ${event.runId}: ${event.matrix.join(", ")} (${event.tasks} tasks) in ${event.dir}`;
    case "task-started":
      return `▶ ${event.task} (limit ${seconds(event.timeoutMs)})`;
    case "task-finished":
      return event.status === "done"
        ? `${reporter.paint("green", "✓")} ${event.task} ${seconds(event.durationMs)}`
        : `${reporter.paint("red", "✗")} ${event.task} ${event.status} after ${seconds(event.durationMs)}${event.message ? `: ${event.message.split("\n")[0]}` : ""}`;
    case "task-cleaned":
      return event.ok ? `  cleaned up after ${event.task}` : `  ${reporter.paint("yellow", "!")} cleaning up after ${event.task} failed: ${event.message}`;
    case "task-output":
    case "run-finished":
      return undefined;
  }
}

/** The upgrades matrix's rows (hop, verdict, stages, checks after, integrity), when the run had any. */
function upgradeTable(rows: readonly UpgradeRow[]): string[] {
  const [first] = rows;
  return first
    ? [
        "",
        table(
          upgradeCells(first).header,
          rows.map((row) => upgradeCells(row).cells),
        ),
      ]
    : [];
}
