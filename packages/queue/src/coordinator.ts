import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AbortedError, MsfError } from "@msf/core";
import type { PlannedTask, RunConfig, RunPlan, StepCall, StepRunner } from "@msf/run";
import { type Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { canRun, LOST_AFTER_MS, type StepNeeds, workerSpeed } from "./capabilities.ts";
import { unpackEvidence } from "./evidence.ts";
import { type StepJob, type StepResult, StepResultSchema } from "./job.ts";
import { CANCEL_CHANNEL, linesChannel, sharedQueue, workerQueue } from "./names.ts";
import { checkEvictionPolicy, connectRedis, openRedis, quiet } from "./redis.ts";
import { type ListedWorker, listWorkers } from "./registry.ts";
import { assignDistributions, chainDurations } from "./simulate.ts";

type Data = Record<string, unknown>;

export interface CoordinatorOptions {
  url: string;
  /** Which workers may take the matrix's steps (default: any; `kvm`: only workers with KVM). */
  accel?: "any" | "kvm";
  /** A worker not seen for this long is lost (default 10 s). */
  lostAfterMs?: number;
}

/** A run's steps on the queue; one per run. */
export interface QueueCoordinator {
  /** The `StepRunner` of one run (the executor's only seam): each step goes to a worker and back. */
  runner(run: { runDir: string; plan: RunPlan; config: RunConfig }): StepRunner;
  /** What the live workers offer together: the run's budget. */
  budget(): Promise<{ memoryMiB: number; cpus: number; accel: "kvm" | "tcg" }>;
  workers(): Promise<ListedWorker[]>;
  close(): Promise<void>;
  warning?: string;
}

/** A worker that held the distribution is gone: its steps run again elsewhere. */
class WorkerLost extends Error {}

/**
 * The coordinator's side of the queue. The run's distributions are assigned to the live workers
 * that can run them (longest first, each where it would finish first: `assignDistributions`); a
 * distribution's steps go to its worker's own queue, and that worker keeps its image and VM. When
 * that worker is lost, the step goes to the shared queue of the workers that can run it, with the
 * distribution's earlier steps to replay first: it finishes on another worker, which keeps the
 * distribution from then on, and the journal records it once. Results come back with the
 * distribution's evidence.
 */
export async function openCoordinator(options: CoordinatorOptions): Promise<QueueCoordinator> {
  const { url } = options;
  const lostAfterMs = options.lostAfterMs ?? LOST_AFTER_MS;
  const redis = await connectRedis(url);
  const subscriber = openRedis(url);
  const warning = await checkEvictionPolicy(redis, url);
  const queues = new Map<string, { queue: Queue<StepJob, StepResult>; events: QueueEvents; blocking: Redis }>();
  const queueOf = async (name: string) => {
    let entry = queues.get(name);
    if (!entry) {
      // QueueEvents blocks on its connection: one of its own (BullMQ leaves a given connection open: closed here).
      const blocking = quiet(redis.duplicate());
      entry = { queue: new Queue<StepJob, StepResult>(name, { connection: redis }), events: new QueueEvents(name, { connection: blocking }), blocking };
      queues.set(name, entry);
      // Connection errors are retried (a Redis restart is waited out); the step's wait says what lasts.
      entry.queue.on("error", () => {});
      entry.events.on("error", () => {});
      await entry.events.waitUntilReady();
    }
    return entry;
  };
  const listeners = new Map<string, (line: string) => void>();
  subscriber.on("message", (_channel, message: string) => {
    const { task, line } = parseLine(message);
    if (typeof task === "string" && typeof line === "string") listeners.get(task)?.(line.slice(0, 4_096));
  });
  const workers = () => listWorkers(redis, Date.now(), lostAfterMs);

  const runner = ({ runDir, plan, config }: { runDir: string; plan: RunPlan; config: RunConfig }): StepRunner => {
    const runId = basename(runDir);
    void subscriber.subscribe(linesChannel(runId));
    /** Per distribution: the worker that keeps it, and the steps it ran there (to replay). */
    const owners = new Map<string, string>();
    const ran = new Map<string, { task: PlannedTask; input: Data }[]>();
    const distroTasks = (distro: string) => plan.tasks.filter((t) => t.distro === distro);
    const needs = (task: PlannedTask): StepNeeds => ({ accel: options.accel ?? "any", memoryMiB: task.resources.memoryMiB });
    /** Which worker runs each distribution, decided once, over the workers up when the first step is sent. */
    let assignment: Map<string, string> | undefined;
    const assigned = (live: ListedWorker[]) => {
      const up = live.filter((w) => w.state !== "lost");
      // A worker fits a distribution when it can run every one of its steps (accelerator, memory).
      const fits = (distro: string, id: string) => distroTasks(distro).every((t) => up.some((w) => w.id === id && canRun(w, needs(t))));
      assignment ??= assignDistributions(
        chainDurations(plan),
        up.map((w) => ({ id: w.id, slots: w.slots, speed: workerSpeed(w.accel) })),
        fits,
      );
      return assignment;
    };

    const send = async (job: StepJob, call: StepCall): Promise<StepResult> => {
      const distro = job.task.distro as string;
      for (;;) {
        const owner = owners.get(distro);
        const live = await workers();
        const ownerAlive = owner && isUp(live, owner);
        if (owner && !ownerAlive) {
          call.onLine(`worker ${owner} is lost: ${distro} goes on another worker from its first step`);
          owners.delete(distro);
          void clearQueue(workerQueue(owner));
          job = { ...job, replay: ran.get(distro) ?? [] };
        }
        if (!owners.has(distro)) {
          requireCapable(live, job.task, needs(job.task));
          // A distribution's first step: to the worker the run's assignment chose, while it is up.
          const chosen = assigned(live).get(distro);
          if (chosen && !job.replay.length && isUp(live, chosen)) owners.set(distro, chosen);
        }
        const name = owners.has(distro) ? workerQueue(owners.get(distro) as string) : sharedQueue(needs(job.task).accel);
        try {
          const result = await runOnQueue(name, job, call, owners.get(distro));
          if (!owners.has(distro) && job.keep) owners.set(distro, result.worker);
          await unpackEvidence(result.evidence, join(runDir, "vms", distro));
          return result;
        } catch (error) {
          if (!(error instanceof WorkerLost)) throw error;
        }
      }
    };

    const runOnQueue = async (name: string, data: StepJob, call: StepCall, owner: string | undefined): Promise<StepResult> => {
      const { queue, events } = await queueOf(name);
      if (call.signal.aborted) throw new AbortedError(data.task.id);
      const job = await queue.add(data.task.id, data, { attempts: 1, removeOnComplete: { age: 3_600 }, removeOnFail: { age: 86_400 } });
      listeners.set(data.task.id, call.onLine);
      const watch = new AbortController();
      try {
        return await Promise.race([
          job.waitUntilFinished(events).then((value: unknown) => StepResultSchema.parse(value)),
          watchJob(job, data, call.signal, owner, watch.signal),
        ]);
      } finally {
        watch.abort();
        listeners.delete(data.task.id);
      }
    };

    /** Rejects when the step is cancelled, its worker is lost, or nobody can take it any more. */
    const watchJob = async (
      job: Job<StepJob, StepResult>,
      data: StepJob,
      signal: AbortSignal,
      owner: string | undefined,
      stop: AbortSignal,
    ): Promise<never> => {
      let unserved = 0;
      while (!stop.aborted) {
        await sleep(500, undefined, { signal: AbortSignal.any([stop, signal]) }).catch(() => undefined);
        if (stop.aborted) break;
        if (signal.aborted) {
          await redis.publish(CANCEL_CHANNEL, job.id as string);
          // Still waiting: removed, nobody will take it; else its worker stops it and fails the job.
          const removed = await job.remove().then(
            () => true,
            () => false,
          );
          if (!removed) await sleep(30_000, undefined, { signal: stop }).catch(() => undefined);
          throw signal.reason instanceof Error ? signal.reason : new AbortedError(data.task.id);
        }
        const live = await workers();
        if (owner && !isUp(live, owner)) throw new WorkerLost(owner);
        if (!owner && (await job.getState()) === "waiting") {
          unserved = live.some((w) => w.state !== "lost" && canRun(w, needs(data.task))) ? 0 : unserved + 500;
          if (unserved >= lostAfterMs) {
            await job.remove().catch(() => undefined);
            requireCapable(live, data.task, needs(data.task));
          }
        }
      }
      return new Promise<never>(() => {});
    };

    const isLast = (task: PlannedTask) => distroTasks(task.distro as string).at(-1)?.id === task.id;
    return {
      async run(task, input, call) {
        const distro = task.distro as string;
        const result = await send({ kind: "run", runId, task, input, config, replay: [], keep: !isLast(task) }, call);
        if (isLast(task)) {
          owners.delete(distro);
          ran.delete(distro);
        } else ran.set(distro, [...(ran.get(distro) ?? []), { task, input }]);
        call.onLine(`ran on worker ${result.worker}`);
        return { ...result.output, worker: result.worker };
      },
      async cleanup(task, input, call) {
        const distro = task.distro as string;
        const owner = owners.get(distro);
        // A lost worker's VMs ended with it; a distribution no worker kept has nothing to clean.
        if (!owner || !isUp(await workers(), owner)) return;
        const first = ran.get(distro)?.[0]?.task.id ?? task.id;
        await runOnQueue(workerQueue(owner), { kind: "cleanup", runId, task, input, config, replay: [], keep: first !== task.id }, call, owner);
        if (first === task.id) {
          owners.delete(distro);
          ran.delete(distro);
        }
      },
      // A resumed run cannot know which worker kept what: its unfinished distributions start again.
      holds: async () => false,
    };
  };

  const clearQueue = async (name: string) => {
    const { queue } = await queueOf(name);
    await queue.obliterate({ force: true }).catch(() => undefined);
  };

  return {
    runner,
    workers,
    warning,
    async budget() {
      const live = (await workers()).filter((w) => w.state !== "lost" && canRun(w, { accel: options.accel ?? "any", memoryMiB: 0 }));
      return {
        memoryMiB: live.reduce((sum, w) => sum + w.memoryMiB, 0),
        cpus: live.reduce((sum, w) => sum + w.cpus, 0),
        // Timeouts scale for the slowest worker.
        accel: live.length && live.every((w) => w.accel === "kvm") ? "kvm" : "tcg",
        fleet: true,
      };
    },
    async close() {
      for (const { queue, events, blocking } of queues.values()) {
        await Promise.all([queue.close(), events.close()]);
        blocking.disconnect();
      }
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

const isUp = (live: ListedWorker[], id: string) => live.some((w) => w.id === id && w.state !== "lost");

/** Fails the step at once when no live worker could ever take it. */
function requireCapable(live: ListedWorker[], task: PlannedTask, needs: StepNeeds): void {
  if (live.some((w) => w.state !== "lost" && canRun(w, needs))) return;
  const seen = live.map((w) => `${w.id} (${w.accel}, ${w.memoryMiB} MiB, ${w.state})`).join(", ") || "none";
  throw new MsfError(
    "ERR_MSF_NO_WORKER",
    `no worker can run ${task.id}: it needs ${needs.accel === "kvm" ? "KVM" : "any accelerator"} and ${needs.memoryMiB} MiB; workers: ${seen}`,
    { hint: needs.accel === "kvm" ? "start msf worker --queue on a host with /dev/kvm" : "start msf worker --queue <url> on a test host" },
  );
}

function parseLine(message: string): { task?: unknown; line?: unknown } {
  try {
    const parsed = JSON.parse(message) as { task?: unknown; line?: unknown };
    return typeof parsed.task === "string" && typeof parsed.line === "string" ? parsed : {};
  } catch {
    return {};
  }
}
