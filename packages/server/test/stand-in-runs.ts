import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type PlannedTask, parseRunConfig, runMatrix, type StepRunner } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";

/** What the stand-in test step writes beside the checks: key material the server must never serve. */
export const SECRET = "hunter2-not-for-the-web";

export interface StandInRun {
  /** Check ids that fail. */
  failing?: string[];
  /** The test step waits for this before it finishes (a run in progress). */
  gate?: Promise<void>;
  /** Called when the test step has started. */
  onTest?: () => void;
  /** The run's id, as soon as it is planned. */
  onPlanned?: (runId: string) => void;
}

/** Steps instead of VMs: the test step writes two checks (and a key), failing those named. */
function standIn({ failing = [], gate, onTest }: StandInRun): (run: { runDir: string }) => StepRunner {
  return ({ runDir }) => ({
    async run(task: PlannedTask) {
      if (task.phase !== "test") return {};
      onTest?.();
      await gate;
      const vmDir = join(runDir, "vms", task.distro as string);
      mkdirSync(vmDir, { recursive: true });
      const check = (id: string) => ({
        id,
        component: "dovecot",
        status: failing.includes(id) ? "fail" : "pass",
        durationMs: 5,
        message: id,
        evidence: [`C: ${id}`],
      });
      writeFileSync(join(vmDir, "checks.json"), JSON.stringify([check("smtp-starttls"), check("imap-login")]));
      writeFileSync(join(vmDir, "ssh_host_ed25519_key"), SECRET);
      if (failing.length) throw new Error(`checks failed: ${failing.join(", ")}`);
      return { passed: 2, failed: 0 };
    },
    cleanup: async () => {},
    holds: async () => true,
  });
}

/** A real run of Debian 12 through the executor, journal and report, with stand-in steps. */
export async function standInRun(ctx: MsfContext, options: StandInRun = {}) {
  // Run ids begin with the start time to the second: one run per second keeps them in order.
  await sleep(1_000 - (Date.now() % 1_000) + 10);
  const config = parseRunConfig({ images: { offline: true } });
  return runMatrix(ctx, {
    config,
    distros: ["debian-12"],
    runner: standIn(options),
    onEvent: (event) => event.type === "run-planned" && options.onPlanned?.(event.runId),
  });
}
