import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution, type InstalledPackage, lifecycleOf } from "@msf/catalog";
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from "@msf/core";
import {
  type CheckResult,
  type DistributionResult,
  type PhaseResult,
  REPORT_SCHEMA_VERSION,
  type Report,
  ReportSchema,
  renderAll,
  type UpgradeRow,
  UpgradeRowSchema,
  verdictOf,
} from "@msf/report";
import type { MsfContext } from "@msf/supervisor";
import { PHASES, type Phase } from "./config.ts";
import type { RunStatus } from "./journal.ts";
import type { RunPlan } from "./plan.ts";
import { changesSinceLastPass, InstallOutputSchema, type PackagesFile, packagesFileOf, pinPassing, testedVersions } from "./versions.ts";

export interface ReportInput {
  ctx: MsfContext;
  plan: RunPlan;
  dir: string;
  runId: string;
  status: RunStatus;
  host: { accel: "kvm" | "tcg"; cpus: number; memoryMiB: number };
}

/**
 * Builds the report from the journal's status, the check results and the versions in the run
 * directory; writes all four formats and each distribution's package list beside them, then pins
 * the image of each distribution that passed as its last known good.
 */
export async function writeRunReport(input: ReportInput): Promise<Record<string, unknown>> {
  const { report, lists } = await buildReport(input);
  const out = join(input.dir, "report");
  for (const list of lists) await writeJsonAtomic(join(out, packagesFileOf(list.distro)), list);
  const files = renderAll(report);
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(out, name), text);
  const passed = report.distributions.flatMap((d) => {
    const packages = lists.find((l) => l.distro === d.id)?.packages;
    // An upgrade's pass proves the upgraded server, not the image as a fresh install: it pins nothing.
    const fresh = !input.plan.upgrades?.[d.id];
    return fresh && verdictOf(d) === "passed" && d.image && !d.image.stale
      ? [{ distro: d.id, key: d.image.key, packages: packages ?? ([] as InstalledPackage[]) }]
      : [];
  });
  await pinPassing(input.ctx, input.runId, passed);
  return { reportDir: out, files: Object.keys(files), pinned: passed.map((p) => `${p.distro}/${p.key}`) };
}

async function buildReport(input: ReportInput): Promise<{ report: Report; lists: PackagesFile[] }> {
  const tasks = input.status.tasks;
  const started = Math.min(...Object.values(tasks).map((t) => t.startedAt ?? Date.now()));
  const distributions: DistributionResult[] = [];
  const upgrades: UpgradeRow[] = [];
  const lists: PackagesFile[] = [];
  for (const id of input.plan.matrix) {
    const phases: PhaseResult[] = input.plan.tasks
      .filter((t) => t.distro === id)
      .map((t) => {
        const task = tasks[t.id];
        const state = task?.state ?? "pending";
        return {
          phase: t.phase as PhaseResult["phase"],
          status: state === "pending" || state === "running" ? "not-run" : state,
          durationMs: task?.durationMs,
          message: task?.message,
          worker: typeof task?.outputs?.worker === "string" ? task.outputs.worker : undefined,
        };
      });
    // A run narrowed by --phase did not plan the later phases: shown as not run (its verdict: partial).
    const upgradeTo = input.plan.upgrades?.[id];
    const allPhases: readonly Phase[] = upgradeTo ? ["install", "archive", "upgrade"] : PHASES.filter((p) => p !== "upgrade");
    const lastPlanned = Math.max(...phases.map((p) => allPhases.indexOf(p.phase as Phase)));
    for (const phase of allPhases.slice(lastPlanned + 1)) phases.push({ phase, status: "not-run" });
    const checks = await readChecks(join(input.dir, "vms", id, "checks.json"));
    const distribution = findDistribution(id);
    const result: DistributionResult = {
      id,
      name: upgradeTo ? `${distribution?.name ?? id} -> ${findDistribution(upgradeTo)?.name ?? upgradeTo}` : (distribution?.name ?? id),
      phases,
      checks,
      diagnostics: checks.some((c) => c.status !== "pass") ? `vms/${id}/mail` : undefined,
    };
    if (distribution) {
      const install = InstallOutputSchema.safeParse(tasks[`${id}:install`]?.outputs);
      const tested = await testedVersions(input.ctx, input.dir, distribution, install.success ? install.data : undefined);
      if (tested.list) lists.push(tested.list);
      const lastGood = input.plan.tasks.find((t) => t.id === `${id}:install`)?.given?.choice;
      Object.assign(result, {
        lifecycle: lifecycleOf(distribution, new Date(started)),
        image: tested.image && { ...tested.image, lastGood: (lastGood as { image?: string } | undefined)?.image === "last-good" || undefined },
        versions: tested.versions,
      });
      // An upgraded server is compared with itself before the upgrade (its row), not with earlier runs.
      if (!upgradeTo) result.changes = await changesSinceLastPass(input.ctx, input.runId, result, tested.list?.packages);
    }
    distributions.push(result);
    if (upgradeTo) {
      const row = await readUpgradeRow(input.dir, id, upgradeTo);
      if (row) upgrades.push(row);
    }
  }
  const failed = distributions.some((d) => d.phases.some((p) => p.status !== "done" && p.status !== "not-run"));
  const report = ReportSchema.parse({
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    status: failed ? "failed" : "passed",
    host: input.host,
    distributions,
    ...(upgrades.length ? { upgrades } : {}),
  });
  return { report, lists };
}

/** The mail checks as the report keeps them: the transcript joined into one evidence text. */
async function readChecks(path: string): Promise<Array<Omit<CheckResult, "evidence"> & { evidence: string }>> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (!text) return [];
  const raw = JSON.parse(text) as Array<{
    id: string;
    component: string;
    status: CheckResult["status"];
    durationMs: number;
    message: string;
    evidence: string[];
  }>;
  return raw.map((c) => ({
    id: c.id,
    component: c.component,
    status: c.status,
    durationMs: c.durationMs,
    message: c.message,
    evidence: c.evidence.join("\n"),
  }));
}

/** The hop's report row as the upgrade step left it in the run directory, its logs named from the run directory. */
async function readUpgradeRow(runDir: string, from: string, to: string): Promise<UpgradeRow | undefined> {
  const dir = `vms/${from}/upgrade`;
  // A damaged row is none: the distribution's phases and checks still say what happened.
  const row = UpgradeRowSchema.safeParse(await readJsonIfExists(join(runDir, dir, `${from}-to-${to}.json`)).catch(() => undefined));
  return row.success ? { ...row.data, steps: row.data.steps.map((s) => ({ ...s, log: `${dir}/${s.log}` })) } : undefined;
}
