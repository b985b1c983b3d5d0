import { mkdir, statfs } from "node:fs/promises";
import { arch, hostname } from "node:os";
import { hostBudget } from "@msf/run";
import type { MsfContext } from "@msf/supervisor";
import { z } from "zod";

/** What a worker offers and what it is doing, as it registers itself (and `msf workers` shows). */
export const WorkerInfoSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  accel: z.enum(["kvm", "tcg"]),
  arch: z.string(),
  cpus: z.number(),
  memoryMiB: z.number(),
  diskFreeMiB: z.number(),
  /** How many distributions it runs at once (each holds a VM from boot to collect). */
  slots: z.number(),
  /** Distributions whose VM it holds, as `<run>/<distro>`. */
  holding: z.array(z.string()),
  /** The step it runs now, as `<run>/<task>`. */
  current: z.array(z.string()),
  startedAt: z.number(),
  seenAt: z.number(),
});
export type WorkerInfo = z.infer<typeof WorkerInfoSchema>;

/** What a step needs of a worker. */
export interface StepNeeds {
  accel: "any" | "kvm";
  memoryMiB: number;
}

/** How fast a worker runs a step relative to the plan's expectation: emulation is about three times slower (msf's timeouts assume so too). */
export const workerSpeed = (accel: "kvm" | "tcg") => (accel === "kvm" ? 1 : 1 / 3);

/** A worker that has not been seen for this long is lost (it renews every 2 s). */
export const LOST_AFTER_MS = 10_000;

export type WorkerState = "idle" | "busy" | "lost";

/** Pure: a worker's state at `now`. */
export function workerState(worker: WorkerInfo, now: number, lostAfterMs = LOST_AFTER_MS): WorkerState {
  if (now - worker.seenAt > lostAfterMs) return "lost";
  return worker.holding.length || worker.current.length ? "busy" : "idle";
}

/** Pure: can this worker run a step with these needs at all (busy or not)? */
export function canRun(worker: WorkerInfo, needs: StepNeeds): boolean {
  return (needs.accel === "any" || worker.accel === "kvm") && worker.memoryMiB >= needs.memoryMiB;
}

/** What this host offers, measured now: the accelerator msf found here, cores, memory, free disk for images. */
export async function hostCapabilities(ctx: MsfContext): Promise<Pick<WorkerInfo, "host" | "accel" | "arch" | "cpus" | "memoryMiB" | "diskFreeMiB">> {
  const budget = await hostBudget(ctx);
  await mkdir(ctx.paths.images, { recursive: true });
  const disk = await statfs(ctx.paths.images);
  return {
    host: hostname(),
    accel: budget.accel,
    arch: arch(),
    cpus: budget.cpus,
    memoryMiB: budget.memoryMiB,
    diskFreeMiB: Math.floor((disk.bavail * disk.bsize) / 1_048_576),
  };
}
