import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { writeFileAtomic } from "@msf/core";
import { type CheckResult, type PhaseResult, type Report, ReportSchema, renderHtml, renderJson, renderJunit, renderMarkdown } from "@msf/report";
import type { RunStatus } from "./journal.ts";
import type { RunPlan } from "./plan.ts";

/** Builds the report from the journal's status and the check results in the run directory; writes all four formats. */
export async function writeRunReport(input: {
  plan: RunPlan;
  dir: string;
  runId: string;
  status: RunStatus;
  host: { accel: "kvm" | "tcg"; cpus: number; memoryMiB: number };
}): Promise<Record<string, unknown>> {
  const report = await buildReport(input);
  const out = join(input.dir, "report");
  const files = { "report.json": renderJson(report), "report.md": renderMarkdown(report), "junit.xml": renderJunit(report), "index.html": renderHtml(report) };
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(out, name), text);
  return { reportDir: out, files: Object.keys(files) };
}

async function buildReport(input: Parameters<typeof writeRunReport>[0]): Promise<Report> {
  const tasks = input.status.tasks;
  const distributions = [];
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
        };
      });
    const checks = await readChecks(join(input.dir, "vms", id, "checks.json"));
    distributions.push({
      id,
      name: findDistribution(id)?.name ?? id,
      phases,
      checks,
      diagnostics: checks.some((c) => c.status !== "pass") ? `vms/${id}/mail` : undefined,
    });
  }
  const failed = distributions.some((d) => d.phases.some((p) => p.status !== "done"));
  return ReportSchema.parse({
    schemaVersion: 1,
    runId: input.runId,
    startedAt: new Date(Math.min(...Object.values(tasks).map((t) => t.startedAt ?? Date.now()))).toISOString(),
    finishedAt: new Date().toISOString(),
    status: failed ? "failed" : "passed",
    host: input.host,
    distributions,
  });
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
