import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "@msf/core";
import { z } from "zod";

/** What `msf vm up` leaves behind for `vm ssh`, `vm down` and `vm list` (vm.json; no secrets inside). */
export const VmStateSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  distro: z.string(),
  status: z.enum(["booting", "ready", "failed", "stopped"]),
  pid: z.number().int(),
  startTicks: z.number().int(),
  startedAt: z.string(),
  expiresAt: z.string(),
  accel: z.enum(["kvm", "tcg"]),
  image: z.object({ key: z.string(), dir: z.string() }),
  dir: z.string(),
  serialLog: z.string(),
  qmpSocket: z.string(),
  ssh: z.object({
    host: z.string(),
    port: z.number().int(),
    user: z.string(),
    keyPath: z.string(),
    knownHostsPath: z.string(),
    hostKey: z.string(),
  }),
  ports: z.record(z.string(), z.number().int()),
  readiness: z
    .object({
      phases: z.record(z.string(), z.object({ atMs: z.number(), durationMs: z.number(), detail: z.string().optional() })),
      readyMs: z.number().optional(),
    })
    .optional(),
  /** The ready snapshot it was restored from (instead of booted). */
  restoredFrom: z.string().optional(),
  stoppedAt: z.string().optional(),
  stoppedBy: z.string().optional(),
});
export type VmState = z.infer<typeof VmStateSchema>;

export function vmDir(vmsDir: string, name: string): string {
  return join(vmsDir, name);
}

export async function readVmState(vmsDir: string, name: string): Promise<VmState | undefined> {
  const raw = await readJsonIfExists(join(vmDir(vmsDir, name), "vm.json"));
  if (raw === undefined) return undefined;
  const parsed = VmStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export async function writeVmState(state: VmState): Promise<void> {
  await writeJsonAtomic(join(state.dir, "vm.json"), state);
}
