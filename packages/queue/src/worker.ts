import { hostname } from "node:os";
import { join } from "node:path";
import { inProcessRunner, type PlannedTask, type RunConfig, type StepCall, type StepRunner } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import { type Job, Worker } from "bullmq";
import { hostCapabilities, type WorkerInfo } from "./capabilities.ts";
import { packEvidence } from "./evidence.ts";
import type { StepJob, StepResult } from "./job.ts";
import { CANCEL_CHANNEL, linesChannel, sharedQueue, workerQueue } from "./names.ts";
import { checkEvictionPolicy, connectRedis, openRedis } from "./redis.ts";
import { announceWorker, forgetWorker } from "./registry.ts";

type Data = Record<string, unknown>;

export interface WorkerOptions {
  url: string;
  /** The worker's own state (images, VMs, its copy of each run's evidence). */
  ctx: MsfContext;
  /** Unique among the workers (default: host name and pid). */
  id?: string;
  /** Distributions at once (default: one per two cores, at least one). */
  slots?: number;
  /** Overrides what the host reports (a test host that plays a smaller one). */
  accel?: "kvm" | "tcg";
  /** Where steps run (default: msf's own steps in this process). */
  runner?: (run: { ctx: MsfContext; runDir: string; config: RunConfig }) => StepRunner;
  onLog?: (line: string) => void;
  /** How often the worker renews its record (default 2 s). */
  heartbeatMs?: number;
}

export interface RunningWorker {
  info(): WorkerInfo;
  /** Stops taking steps, stops the running ones, cleans up what it holds, leaves the registry. */
  close(): Promise<void>;
  /** Resolves when the worker has stopped (after close). */
  closed: Promise<void>;
  warning?: string;
}

/**
 * A test host's worker: registers what it offers and renews that record every few seconds (so the
 * coordinator notices when it is gone); runs the steps of the distributions assigned to it from its
 * own queue, a new one only while it has a free slot, and keeps each (its image and VM) until its
 * last step; while a slot is free it also takes a lost worker's distribution from the shared queue
 * (KVM workers also from the KVM-only one). Each result goes back with the distribution's evidence.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { ctx, url } = options;
  const log = options.onLog ?? (() => {});
  const redis = await connectRedis(url);
  const subscriber = openRedis(url);
  const warning = await checkEvictionPolicy(redis, url);
  const capabilities = { ...(await hostCapabilities(ctx)), ...(options.accel ? { accel: options.accel } : {}) };
  const id = options.id ?? `${hostname()}-${process.pid}`;
  const slots = options.slots ?? Math.max(1, Math.floor(capabilities.cpus / 2));
  const startedAt = Date.now();
  /** Distributions it keeps (`<run>/<distro>`), with the steps it ran for each, for its own cleanup. */
  const holding = new Map<string, { job: StepJob; input: Data }[]>();
  const current = new Set<string>();
  const slotFreed: Array<() => void> = [];
  const info = (): WorkerInfo => ({
    id,
    ...capabilities,
    pid: process.pid,
    slots,
    holding: [...holding.keys()],
    current: [...current],
    startedAt,
    seenAt: Date.now(),
  });
  const runnerFor = (job: StepJob) => {
    const runDir = join(ctx.paths.runs, job.runId);
    // Its VMs end with it: a worker that dies has its distributions replayed elsewhere.
    return { runDir, runner: (options.runner ?? ((run) => inProcessRunner({ ...run, vmEndsWithProcess: true })))({ ctx, runDir, config: job.config }) };
  };

  const process_ = async (job: Job<StepJob, StepResult>, signal: AbortSignal | undefined, fromShared: boolean): Promise<StepResult> => {
    const data = job.data;
    const distro = data.task.distro as string;
    const held = `${data.runId}/${distro}`;
    const label = `${data.runId}/${data.task.id}`;
    current.add(label);
    if (!holding.has(held)) {
      // A new distribution waits for a slot (its steps were sent here while others hold them all).
      while (holding.size >= slots && !closing) await new Promise<void>((resolve) => slotFreed.push(resolve));
      holding.set(held, []);
    }
    await pauseWhenFull();
    const { runDir, runner } = runnerFor(data);
    // The run's mail passwords (when the configuration has them) never leave in a log or a line.
    for (const account of data.config.mail.accounts) if (account.password) ctx.logger.addSecret(account.password);
    const call: StepCall = {
      signal: signal ?? new AbortController().signal,
      onLine: (line) =>
        void redis.publish(linesChannel(data.runId), JSON.stringify({ task: data.task.id, line: ctx.logger.redact(line) })).catch(() => undefined),
    };
    const ranHere: { task: PlannedTask; input: Data }[] = [];
    let failed = false;
    try {
      log(`${data.kind} ${data.task.id} of run ${data.runId}`);
      call.onLine(`${data.kind === "run" ? "runs" : "cleans up"} on worker ${id}`);
      let input = data.input;
      for (const earlier of data.replay) {
        call.onLine(`${earlier.task.id} again on worker ${id} (the worker that ran it is gone)`);
        ranHere.push({ task: earlier.task, input: earlier.input });
        input = { ...input, ...(await runner.run(earlier.task, earlier.input, call)) };
      }
      let output: Data = {};
      if (data.kind === "run") {
        ranHere.push({ task: data.task, input });
        output = await runner.run(data.task, input, call);
      } else {
        await runner.cleanup(data.task, input, call);
        holding.set(
          held,
          (holding.get(held) ?? []).filter((step) => step.job.task.id !== data.task.id),
        );
      }
      return { output, worker: id, evidence: await packEvidence(join(runDir, "vms", distro)) };
    } catch (error) {
      failed = true;
      // A distribution's first step failed here: the coordinator does not know this worker kept
      // anything, so what the job ran is cleaned up now, newest first.
      if (fromShared) for (const step of ranHere.reverse()) await runner.cleanup(step.task, step.input, call).catch(() => undefined);
      throw error;
    } finally {
      current.delete(label);
      holding.get(held)?.push(...ranHere.map((step) => ({ job: { ...data, task: step.task }, input: step.input })));
      if (!data.keep || (failed && fromShared)) release(held);
    }
  };

  const options_ = { connection: redis, lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 1, name: id };
  const shared = [sharedQueue("any"), ...(capabilities.accel === "kvm" ? [sharedQueue("kvm")] : [])].map(
    (name) => new Worker<StepJob, StepResult>(name, (job, _token, signal) => process_(job, signal, true), { ...options_, concurrency: slots }),
  );
  const own = new Worker<StepJob, StepResult>(workerQueue(id), (job, _token, signal) => process_(job, signal, false), { ...options_, concurrency: 16 });
  const all = [...shared, own];
  for (const w of all) w.on("error", (error) => log(`queue: ${error.message}`));

  /** No new distribution while every slot is taken. */
  async function pauseWhenFull() {
    if (holding.size >= slots) await Promise.all(shared.map((w) => w.pause(true)));
  }
  function release(held: string) {
    holding.delete(held);
    for (const wake of slotFreed.splice(0)) wake();
    if (holding.size < slots && !closing) for (const w of shared) w.resume();
  }

  // Cancel reaches the step within a second: the coordinator publishes the job's id.
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on("message", (_channel, jobId: string) => {
    for (const w of all) w.cancelJob(jobId, "cancelled by the coordinator");
  });

  await announceWorker(redis, info());
  const heartbeat = setInterval(() => void announceWorker(redis, info()).catch(() => undefined), options.heartbeatMs ?? 2_000);

  let closing = false;
  let resolveClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = async () => {
    if (closing) return closed;
    closing = true;
    clearInterval(heartbeat);
    for (const w of all) w.cancelAllJobs("the worker is stopping");
    for (const wake of slotFreed.splice(0)) wake();
    await Promise.all(all.map((w) => w.close()));
    // What it still holds (a VM between steps) is cleaned up here: nobody else can.
    for (const [held, steps] of holding) {
      for (const step of steps.reverse()) {
        const { runner } = runnerFor(step.job);
        await runner.cleanup(step.job.task, step.input, { signal: AbortSignal.timeout(120_000), onLine: log }).catch((error: unknown) => {
          log(`cleanup of ${held} ${step.job.task.id}: ${(error as Error).message}`);
        });
      }
    }
    await forgetWorker(redis, id).catch(() => undefined);
    subscriber.disconnect();
    await redis.quit().catch(() => redis.disconnect());
    resolveClosed();
  };
  return { info, close, closed, warning };
}
