import { join } from "node:path";
import { type PackageChange, packageChanges } from "@msf/catalog";
import { type Comparison, compareReports } from "@msf/report";
import type { MsfContext } from "@msf/supervisor";
import { loadRunReport } from "./history.ts";
import { readPackagesFile } from "./versions.ts";

export interface RunComparison extends Comparison {
  before: string;
  after: string;
  /** Per distribution in both runs with a package list: every package whose version changed. */
  packages: Record<string, PackageChange[]>;
}

/** What changed from run `before` to run `after`: checks that newly fail or pass, slower steps, and the packages underneath. */
export async function compareRuns(ctx: MsfContext, before: string, after: string): Promise<RunComparison> {
  const [a, b] = [await loadRunReport(ctx, before), await loadRunReport(ctx, after)];
  const packages: Record<string, PackageChange[]> = {};
  for (const d of b.report.distributions) {
    const old = a.report.distributions.find((x) => x.id === d.id);
    if (!old?.versions || !d.versions) continue;
    const [from, to] = [
      await readPackagesFile(join(a.run.reportDir, old.versions.packagesFile)),
      await readPackagesFile(join(b.run.reportDir, d.versions.packagesFile)),
    ];
    if (from && to) packages[d.id] = packageChanges(from.packages, to.packages);
  }
  return { before: a.run.runId, after: b.run.runId, ...compareReports(a.report, b.report), packages };
}
