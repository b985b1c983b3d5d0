import { join } from "node:path";
import { writeJsonAtomic } from "@msf/core";
import type { SshSession } from "@msf/ssh";
import { collectDiagnostics } from "../diagnostics/collect.ts";
import type { PackageFamily } from "../recipe/families.ts";
import { readServerVersions } from "../target/versions.ts";
import { runChecks } from "./run.ts";
import type { CheckResult, MailTarget } from "./types.ts";

export interface MailTestOptions {
  name: string;
  /** Only these checks (the readiness gate always runs). */
  only?: string[];
  /** true: collect diagnostics even when everything passes; false: never; absent: when a check fails. */
  diagnostics?: boolean;
  onStart?: (check: { id: string; title: string }) => void;
  onResult?: (result: CheckResult) => void;
}

export interface MailTestReport {
  name: string;
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  checks: CheckResult[];
  /** Where the results (and diagnostics) were written. */
  dir: string;
  diagnostics?: string;
  /** The server's kernel and packages when the checks ran (with SSH); the full list is in packages.json beside results.json. */
  versions?: { kernelRelease: string; packages: number; file: string };
  /** Why the versions could not be read, when they could not (the checks ran regardless). */
  versionsError?: string;
}

export interface RecordOptions extends MailTestOptions {
  target: MailTarget;
  outDir: string;
  family: PackageFamily;
  secrets: string[];
  ssh?: SshSession;
  /** For a VM under CPU emulation (see guestTimeoutScale); a real server needs none. */
  timeoutScale?: number;
}

/** Runs the checks, writes results.json, and collects diagnostics on failure (or when asked). */
export async function runAndRecord(options: RecordOptions): Promise<MailTestReport> {
  const startedAt = new Date();
  const dir = join(options.outDir, startedAt.toISOString().replace(/[:.]/g, "-"));
  try {
    // The versions under test, read first: what a failing check ran against is part of its evidence.
    const read = options.ssh ? await readServerVersions(options.ssh, options.family).catch((error: Error) => error) : undefined;
    const versions = read instanceof Error ? undefined : read;
    const versionsError = read instanceof Error ? read.message : undefined;
    const checks = await runChecks(options.target, {
      only: options.only,
      onStart: options.onStart,
      onResult: options.onResult,
      timeoutScale: options.timeoutScale,
    });
    const failed = checks.filter((c) => c.status === "fail" || c.status === "error").length;
    let diagnostics: string | undefined;
    if (options.ssh && options.diagnostics !== false && (failed > 0 || options.diagnostics)) {
      diagnostics = join(dir, "diagnostics");
      await collectDiagnostics(options.ssh, options.family, diagnostics, options.secrets);
      for (const check of checks) if (check.status === "fail" || check.status === "error") check.message += ` (diagnostics: ${diagnostics})`;
    }
    const report: MailTestReport = {
      name: options.name,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      passed: checks.filter((c) => c.status === "pass").length,
      failed,
      checks,
      dir,
      diagnostics,
      versions: versions && { kernelRelease: versions.kernelRelease, packages: versions.packages.length, file: join(dir, "packages.json") },
      versionsError,
    };
    if (versions) await writeJsonAtomic(join(dir, "packages.json"), versions);
    await writeJsonAtomic(join(dir, "results.json"), report);
    return report;
  } finally {
    options.ssh?.close();
  }
}
