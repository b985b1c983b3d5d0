// A real `startWorker` in its own process, with stand-in steps instead of VMs (a test can SIGKILL
// it). Every step it starts is appended to <home>/steps.ndjson; the deploy step waits while the
// file named by $HOLD_DEPLOY exists. Usage: stand-in-worker.ts <redis-url> <home> <id> [kvm|tcg]
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startWorker } from "@msf/queue";
import type { PlannedTask, StepRunner } from "@msf/run";
import { createContext } from "@msf/supervisor";

const [url, home, id, accel] = process.argv.slice(2) as [string, string, string, "kvm" | "tcg" | undefined];
const ctx = createContext({ env: { MSF_HOME: home } });
const stepMs = Number(process.env.STEP_MS ?? 100);

function standIn(runDir: string): StepRunner {
  const note = (task: PlannedTask, kind: string) =>
    appendFileSync(join(home, "steps.ndjson"), `${JSON.stringify({ task: task.id, kind, worker: id, at: Date.now() })}\n`);
  return {
    async run(task, _input, call) {
      note(task, "run");
      const vmDir = join(runDir, "vms", task.distro as string);
      mkdirSync(vmDir, { recursive: true });
      call.onLine(`${task.phase} on ${id}`);
      try {
        await sleep(stepMs, undefined, { signal: call.signal });
        while (task.phase === "deploy" && process.env.HOLD_DEPLOY && existsSync(process.env.HOLD_DEPLOY)) await sleep(50, undefined, { signal: call.signal });
      } catch (error) {
        note(task, "aborted");
        throw error;
      }
      writeFileSync(join(vmDir, `${task.phase}.txt`), `${task.id} on ${id}\n`);
      if (task.phase === "test") {
        const check = (name: string) => ({ id: name, component: "postfix", status: "pass", durationMs: 5, message: name, evidence: [`C: ${name}`] });
        writeFileSync(join(vmDir, "checks.json"), JSON.stringify([check("smtp-starttls"), check("imap-login")]));
        return { passed: 2, failed: 0 };
      }
      return task.phase === "boot"
        ? { vm: `run-${task.distro}`, alreadyRunning: false }
        : task.phase === "deploy"
          ? { vm: `run-${task.distro}`, deployedAt: new Date().toISOString() }
          : {};
    },
    async cleanup(task) {
      note(task, "cleanup");
    },
    holds: async () => true,
  };
}

const worker = await startWorker({ url, ctx, id, slots: 1, accel: accel ?? "tcg", runner: ({ runDir }) => standIn(runDir), heartbeatMs: 500 });
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void worker.close().then(() => process.exit(0)));
console.log(`worker ${id} ready`);
