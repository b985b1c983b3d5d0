import { createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { catalog, type InstalledPackage, InstalledPackageSchema, packageChanges, upgradeHops } from "@msf/catalog";
import { MsfError, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from "@msf/core";
import {
  type ConffilePolicy,
  compareMailStates,
  fillMailboxes,
  type MailSetupInput,
  type MailState,
  type MailTestReport,
  packageErrors,
  parsePostqueue,
  queueDeferred,
  readMailState,
  readPostgresNotice,
  type UpgradeStep,
  upgradePlan,
} from "@msf/mailtest";
import type { StoredImage } from "@msf/qemu";
import { REPORT_SCHEMA_VERSION, renderAll, type UpgradeRow, type UpgradeStageNames } from "@msf/report";
import { sh } from "@msf/ssh";
import type { MsfContext } from "@msf/supervisor";
import { z } from "zod";
import { connectVm } from "../connect.ts";
import { requireRunningVm } from "../exec.ts";
import { vmReboot } from "../reboot.ts";
import { guestTimeoutScale } from "../timeouts.ts";
import { type VmUpResult, vmUp } from "../up.ts";
import { mailDeploy } from "./deploy.ts";
import { applyOverlay } from "./overlay.ts";
import { mailTest, vmMailTarget } from "./test.ts";

// A mail server upgraded in place to the next release, with its mail: deploy on `from`, check, fill
// the mailboxes and the queue, record; per hop: the documented upgrade, a reboot through the VM's own
// boot path, every check again, the state compared. What broke is named, with its evidence.

export type UpgradeStage = (typeof UpgradeStageNames)[number];

export type UpgradeEvent =
  | { type: "stage"; stage: UpgradeStage; hop?: string; status: "started" | "done"; ms?: number }
  | { type: "upgrade-step"; hop: string; step: string; status: "started" | "done" | "failed"; ms?: number }
  | { type: "output"; line: string }
  /** What a long stage is doing now (booting, deploying, checking, filling the mailboxes). */
  | { type: "progress"; stage: UpgradeStage; what: string };

/** A hop's result is the report's upgrade row (step logs named relative to the upgrade's directory). */
export type HopResult = UpgradeRow;

export interface UpgradeResult {
  name: string;
  from: string;
  before: { checks: { passed: number; failed: number }; messages: number; queued: number; stagesMs: Partial<Record<UpgradeStage, number>> };
  hops: HopResult[];
  /** The checks after the last hop that got that far, in full (each with its transcript). */
  checksAfter?: MailTestReport;
  dir: string;
  /** The four report formats, written in `dir`. */
  reportFiles: string[];
}

export interface UpgradeOptions {
  from: string;
  to: string[];
  name?: string;
  conffiles?: ConffilePolicy;
  /** The user's files laid over the deployed configuration before anything is checked (a directory mirroring /). */
  overlay?: string;
  /** The user's deployer (a command line, as `msf deploy --external`) instead of msf's recipe. */
  deployer?: string;
  /** Domain and accounts (msf.config.yaml's `mail`); default msf.test. */
  setup?: MailSetupInput;
  /** Boot this golden image of `from` (verified by the caller) instead of finding or building one. */
  image?: StoredImage;
  /** The VM's memory and vCPUs (default: the catalog's). */
  memoryMiB?: number;
  cpus?: number;
  onEvent?: (event: UpgradeEvent) => void;
}

const summary = (report: MailTestReport) => ({
  passed: report.passed,
  failed: report.failed,
  failing: report.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => `${c.id}: ${c.message ?? ""}`.slice(0, 300)),
});

/** Upgrades a freshly deployed `from` VM through each `to` in turn, and reports what survived. */
export async function vmUpgrade(ctx: MsfContext, options: UpgradeOptions): Promise<UpgradeResult> {
  const emit = options.onEvent ?? (() => {});
  const hops = planHops(options.from, options.to);
  const name = options.name ?? `upgrade-${options.from}`;
  const policy = options.conffiles ?? "keep";
  const timed = async <T>(stage: UpgradeStage, hop: string | undefined, stagesMs: Partial<Record<UpgradeStage, number>>, work: () => Promise<T>) => {
    emit({ type: "stage", stage, hop, status: "started" });
    const started = Date.now();
    const value = await work();
    const ms = Date.now() - started;
    stagesMs[stage] = (stagesMs[stage] ?? 0) + ms; // a stage run twice (a redeploy mid-upgrade and after it) counts both
    emit({ type: "stage", stage, hop, status: "done", ms });
    return value;
  };

  const startedAt = new Date();
  const beforeStages: Partial<Record<UpgradeStage, number>> = {};
  const { vm, checks, state } = await timed("before", undefined, beforeStages, async () => {
    const doing = (what: string) => emit({ type: "progress", stage: "before", what });
    doing(`booting ${options.from} (its image built first if none is cached)`);
    const vm = await vmUp(ctx, {
      distro: options.from,
      name,
      image: options.image,
      memoryMiB: options.memoryMiB,
      cpus: options.cpus,
      lifetimeMs: 6 * 3_600_000,
    });
    doing(options.deployer ? "deploying with your deployer" : "deploying msf's recipe");
    await mailDeploy(ctx, { name, setup: options.setup, external: options.deployer, onOutput: (line) => emit({ type: "output", line }) });
    if (options.overlay) {
      doing(`laying ${options.overlay} over the configuration`);
      await applyOverlay(ctx, name, options.overlay);
    }
    doing("running every check");
    const checks = await mailTest(ctx, { name });
    if (checks.failed)
      throw new MsfError("ERR_MSF_CHECKS_FAILED", `${options.from} fails ${checks.failed} check(s) before any upgrade: nothing to compare against`);
    doing("filling the mailboxes and queueing a deferred message");
    const state = await withTarget(ctx, name, async (target) => {
      await fillMailboxes(target);
      await queueDeferred(target);
      return waitForQueued(target, ctx);
    });
    return { vm, checks, state };
  });
  const dir = join(vm.dir, "upgrade");
  await mkdir(dir, { recursive: true });
  await writeJsonAtomic(join(dir, "state-before.json"), state);

  const results: HopResult[] = [];
  // Each hop starts from where the previous one left the server: its mail, and its packages.
  let previous = { state, checks };
  let checksAfter: MailTestReport | undefined;
  for (const hop of hops) {
    // The first hop's row carries the time of the work before it (deploy, checks, mail filled).
    const stagesMs = results.length ? {} : { before: beforeStages.before };
    const { result, after } = await upgradeHop(ctx, {
      name,
      vm,
      hop,
      policy,
      before: previous.state,
      checksBefore: previous.checks,
      dir,
      emit,
      timed,
      stagesMs,
      setup: options.setup,
    });
    results.push(result);
    await writeJsonAtomic(join(dir, `${result.from}-to-${result.to}.json`), result);
    checksAfter = after?.checks;
    if (result.verdict === "broken" || !after) break;
    previous = after;
  }
  const upgrade: UpgradeResult = {
    name,
    from: options.from,
    before: {
      checks: { passed: checks.passed, failed: checks.failed },
      messages: state.mailboxes.flatMap((m) => m.folders).reduce((sum, f) => sum + f.messages.length, 0),
      queued: state.queue.length,
      stagesMs: beforeStages,
    },
    hops: results,
    checksAfter,
    dir,
    reportFiles: [],
  };
  const files = renderAll({
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: `${options.from}-${startedAt.toISOString().replace(/[-:]/g, "").slice(0, 13)}`,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    status: results.every((r) => r.verdict === "survived") ? "passed" : "failed",
    distributions: [],
    upgrades: results,
  });
  for (const [file, text] of Object.entries(files)) await writeFileAtomic(join(dir, file), text);
  upgrade.reportFiles = Object.keys(files).map((file) => join(dir, file));
  // The checks in full stay out of the file: their transcripts are redacted only where they are written for a report.
  await writeJsonAtomic(join(dir, "upgrade.json"), { ...upgrade, checksAfter: undefined });
  return upgrade;
}

/** Each `to` must be a hop the publisher supports from the previous release. */
function planHops(from: string, to: string[]) {
  const all = upgradeHops(catalog);
  const hops = [];
  let at = from;
  for (const next of to) {
    const hop = all.find((h) => h.from.id === at && h.to.id === next);
    if (!hop) {
      const supported = all.filter((h) => h.from.id === at).map((h) => h.to.id);
      throw new MsfError("ERR_MSF_USAGE", `${at} cannot be upgraded to ${next} in place`, {
        hint: supported.length ? `supported from ${at}: ${supported.join(", ")}` : `${at} has no documented in-place upgrade`,
      });
    }
    if (!upgradePlan(hop).proven) {
      throw new MsfError("ERR_MSF_USAGE", `${at} -> ${next} is rendered from the documentation but not proven in a VM here`, {
        hint: "only Debian hops run in msf's VMs (no other media is reachable); see msf's README",
      });
    }
    hops.push(hop);
    at = next;
  }
  if (!hops.length) throw new MsfError("ERR_MSF_USAGE", "name the release to upgrade to: --to <distro>");
  return hops;
}

async function withTarget<T>(ctx: MsfContext, name: string, work: (target: Awaited<ReturnType<typeof vmMailTarget>>["target"]) => Promise<T>): Promise<T> {
  const { target } = await vmMailTarget(ctx, name);
  try {
    return await work(target);
  } finally {
    target.ssh?.close();
  }
}

/** The state, once the deferred message has left the incoming queue (Postfix tried it and deferred it). */
async function waitForQueued(target: Awaited<ReturnType<typeof vmMailTarget>>["target"], ctx: MsfContext): Promise<MailState> {
  const deadline = Date.now() + 120_000 * ctx.timeoutScale;
  for (;;) {
    const queue = await target.ssh?.exec(["postqueue", "-j"], { timeoutMs: 30_000 });
    const entries = (queue?.stdout ?? "").split("\n").filter((line) => line.includes('"deferred"'));
    if (entries.length && parsePostqueue(entries.join("\n")).length) return readMailState(target);
    if (Date.now() > deadline) throw new MsfError("ERR_MSF_TIMEOUT", "the message to an unreachable destination never reached the deferred queue");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

interface HopInput {
  name: string;
  vm: VmUpResult;
  hop: ReturnType<typeof planHops>[number];
  policy: ConffilePolicy;
  before: MailState;
  /** The checks' run before this hop: the package list it recorded is the diff's baseline. */
  checksBefore: MailTestReport;
  dir: string;
  emit: (event: UpgradeEvent) => void;
  timed: <T>(stage: UpgradeStage, hop: string | undefined, stagesMs: Partial<Record<UpgradeStage, number>>, work: () => Promise<T>) => Promise<T>;
  stagesMs: HopResult["stagesMs"];
  setup?: MailSetupInput;
}

async function upgradeHop(ctx: MsfContext, input: HopInput): Promise<{ result: HopResult; after?: { state: MailState; checks: MailTestReport } }> {
  const { name, hop, policy, emit, timed } = input;
  const plan = upgradePlan(hop, policy);
  const { stagesMs } = input;
  const result: HopResult = {
    hop: plan.hop,
    from: hop.from.id,
    to: hop.to.id,
    stagesMs,
    steps: [],
    packages: [],
    conffiles: [],
    failedUnits: [],
    verdict: "broken",
  };
  const scale = guestTimeoutScale(ctx.timeoutScale, input.vm.accel);

  /** Runs steps in order until one fails; its index, or -1 when all passed. */
  const runSteps = async (steps: readonly UpgradeStep[]): Promise<number> => {
    const session = await connectVm(await requireRunningVm(ctx, name), { signal: ctx.signal });
    try {
      for (const [index, step] of steps.entries()) {
        const log = `${hop.from.id}-to-${hop.to.id}.${step.name}.log`;
        emit({ type: "upgrade-step", hop: plan.hop, step: step.name, status: "started" });
        const started = Date.now();
        const out = createWriteStream(join(input.dir, log), { flags: "a" });
        const outcome = await session
          .exec(step.script, {
            timeoutMs: step.timeoutMs * scale,
            signal: ctx.signal,
            maxOutputBytes: 1024 * 1024,
            onStdout: (chunk) => out.write(chunk),
            onStderr: (chunk) => out.write(chunk),
          })
          .finally(() => out.end());
        await finished(out);
        const ms = Date.now() - started;
        const ok = outcome.exitCode === 0 && !outcome.timedOut;
        // apt and dpkg say what failed at the end of the log.
        const errors = ok ? undefined : packageErrors((await readFile(join(input.dir, log))).subarray(-256 * 1024).toString("utf8"));
        result.steps.push({ name: step.name, exitCode: outcome.exitCode, ms, log, ...(errors ? { errors } : {}) });
        emit({ type: "upgrade-step", hop: plan.hop, step: step.name, status: ok ? "done" : "failed", ms });
        if (!ok) return index;
      }
      return -1;
    } finally {
      session.close();
    }
  };

  const failedAt = await timed("upgrade", plan.hop, stagesMs, () => runSteps(plan.steps));
  if (failedAt >= 0) {
    // The evidence of the server as the failed step left it, before anything repairs it.
    await collectEvidence(ctx, name, result, input.dir);
    const { resume } = plan;
    if (!resume) return { result };
    // msf's recipe knows the new release: deployed now, does it let the upgrade finish (the failed
    // step's packages configured, then that step and the rest run again)?
    const failedStep = plan.steps[failedAt]?.name ?? "";
    const resumed = await timed("redeploy", plan.hop, stagesMs, async () => {
      try {
        await mailDeploy(ctx, { name, setup: input.setup });
      } catch (error) {
        // The daemon's own refusal (its parser's line, naming the file) when the output holds one.
        const said = (error as Error).message;
        result.repair = { afterStep: failedStep, finished: false, message: `msf's recipe did not deploy: ${packageErrors(said) ?? said.slice(0, 500)}` };
        return false;
      }
      const again = await runSteps([resume, ...plan.steps.slice(failedAt)]);
      result.repair = { afterStep: failedStep, finished: again < 0 };
      return again < 0;
    });
    if (!resumed) return { result };
  }
  await timed("reboot", plan.hop, stagesMs, () => vmReboot(ctx, { name }));
  const readState = () =>
    withTarget(ctx, name, readMailState).catch((error: Error) => {
      result.stateError = error.message.slice(0, 500);
      return undefined;
    });
  const after = await timed("after", plan.hop, stagesMs, async () => ({ checks: await mailTest(ctx, { name }), state: await readState() }));
  result.checks = summary(after.checks);
  result.packages = packageChanges(await recordedPackages(input.checksBefore), await recordedPackages(after.checks));
  // The evidence of the server as the upgrade left it, before anything repairs it.
  await collectEvidence(ctx, name, result, input.dir);
  let { checks, state } = after;
  let readAfter: "upgrade" | "redeploy" = "upgrade";
  if (checks.failed || !state) {
    // msf's recipe knows the new release: does deploying it again repair what the upgrade broke?
    checks = await timed("redeploy", plan.hop, stagesMs, async () => {
      await mailDeploy(ctx, { name, setup: input.setup });
      return mailTest(ctx, { name });
    });
    result.redeploy = summary(checks);
    if (!state) {
      // The mail could not be read as the upgrade left the server (IMAP down): read it now.
      state = await readState();
      readAfter = "redeploy";
      if (state) result.stateError = undefined;
    }
  }
  if (!state) return { result };
  result.integrity = { ...compareMailStates(input.before, state), readAfter };
  await writeJsonAtomic(join(input.dir, `state-after-${hop.to.id}.json`), state);
  if (result.integrity.intact && !checks.failed) result.verdict = result.redeploy || result.repair ? "repaired-by-redeploy" : "survived";
  return { result, after: { state, checks } };
}

/** The packages the checks' run read on the server (packages.json beside its results). */
async function recordedPackages(checks: MailTestReport): Promise<InstalledPackage[]> {
  if (!checks.versions) return [];
  const recorded = z.object({ packages: z.array(InstalledPackageSchema) }).safeParse(await readJsonIfExists(checks.versions.file).catch(() => undefined));
  return recorded.success ? recorded.data.packages : [];
}

/** What dpkg left aside, what failed and what is still to do: the evidence of a hop (collected every time: it is short when all is well). */
async function collectEvidence(ctx: MsfContext, name: string, result: HopResult, dir: string): Promise<void> {
  await withTarget(ctx, name, async (target) => {
    const ssh = target.ssh;
    if (!ssh) return;
    const aside = await ssh.exec(sh`find /etc -name '*.dpkg-dist' -o -name '*.dpkg-old' -o -name '*.dpkg-new' -o -name '*.ucf-dist' | sort | head -n 50`, {
      timeoutMs: 60_000,
    });
    // Collected again after a repair: what was already recorded (as it was when it broke) stays as it is.
    const known = new Set([...result.conffiles.map((c) => c.file), ...result.failedUnits.map((u) => u.unit)]);
    for (const file of aside.stdout.split("\n").filter((f) => f && !known.has(f))) {
      const original = file.replace(/\.(dpkg-dist|dpkg-old|dpkg-new|ucf-dist)$/, "");
      const diff = await ssh.exec(["diff", "-u", original, file], { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 });
      result.conffiles.push({ file, diff: diff.stdout.slice(0, 16_000) });
    }
    // What the admin still has to do, as the server is now (read again after the reboot: the last reading stands).
    const notice = await readPostgresNotice(ssh);
    result.notices = notice ? [notice] : undefined;
    const failed = await ssh.exec(["systemctl", "list-units", "--failed", "--plain", "--no-legend", "--no-pager"], { timeoutMs: 30_000 });
    for (const unit of failed.stdout
      .split("\n")
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((u): u is string => u !== undefined && u !== "" && !known.has(u))) {
      const journal = await ssh.exec(["journalctl", "-u", unit, "-n", "40", "--no-pager", "-o", "cat"], { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 });
      result.failedUnits.push({ unit, journal: journal.stdout.slice(-8_000) });
    }
  });
  await writeFile(join(dir, `${result.from}-to-${result.to}.evidence.txt`), evidenceText(result)).catch(() => undefined);
}

/** Pure: the evidence as text, for a person. */
function evidenceText(result: HopResult): string {
  return [
    `# ${result.hop}: ${result.verdict}`,
    ...result.failedUnits.map((u) => `## failed unit ${u.unit}\n${u.journal}`),
    ...result.conffiles.map((c) => `## ${c.file} (left beside the installed file)\n${c.diff}`),
  ].join("\n\n");
}
