// Deploy time and check-suite time of the mail stack on Debian 12 under this host's accelerator
// (median of RUNS fresh VMs), the idempotent redeploy, and how much of the check time is spent
// waiting (deadlines: mail arriving, services starting) versus working. Goal: suite under 60 s.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveMsfPaths } from "@msf/core";
import { createContext } from "@msf/supervisor";
import { mailDeploy, mailTest, vmDown, vmUp } from "@msf/vm";
import { median, report, summarize } from "./stats.ts";

const RUNS = Number(process.env.RUNS ?? 3);
const DISTRO = process.env.DISTRO ?? "debian-12";
const state = mkdtempSync(join(tmpdir(), "msf-bench-mail-"));
const ctx = createContext({ env: { ...process.env, MSF_HOME: state, MSF_CACHE: resolveMsfPaths().cache } });

const deployMs: number[] = [];
const redeployMs: number[] = [];
const suiteMs: number[] = [];
const waitedShare: number[] = [];
const failures: string[] = [];

try {
  for (let i = 0; i < RUNS; i++) {
    const name = `bench-mail-${i}`;
    await vmUp(ctx, { distro: DISTRO, name, lifetimeMs: 60 * 60_000 });
    const deployed = await mailDeploy(ctx, { name });
    deployMs.push(deployed.durationMs);
    redeployMs.push((await mailDeploy(ctx, { name })).durationMs);
    const started = Date.now();
    const result = await mailTest(ctx, { name });
    const wall = Date.now() - started;
    suiteMs.push(wall);
    const checkTime = result.checks.reduce((sum, c) => sum + c.durationMs, 0);
    const waited = result.checks.reduce((sum, c) => sum + c.waitedMs, 0);
    waitedShare.push(checkTime ? waited / checkTime : 0);
    failures.push(...result.checks.filter((c) => c.status !== "pass").map((c) => `${name} ${c.id}: ${c.message}`));
    console.error(
      `run ${i + 1}/${RUNS}: deploy ${deployed.durationMs} ms, redeploy ${redeployMs.at(-1)} ms, checks ${wall} ms (${result.passed} passed, ${result.failed} failed)`,
    );
    await vmDown(ctx, { name, graceMs: 60_000 });
  }
} finally {
  rmSync(state, { recursive: true, force: true });
}

report("mail", {
  distro: DISTRO,
  runs: RUNS,
  deployMs: summarize(deployMs),
  redeployMs: summarize(redeployMs),
  checkSuiteMs: summarize(suiteMs),
  waitingShareOfCheckTime: Math.round(median(waitedShare) * 100) / 100,
  failures,
  goal: "the whole check suite in under 60 s",
  met: failures.length === 0 && Math.max(...suiteMs) < 60_000,
});
