import { createHash } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Distribution } from "@msf/catalog";
import { readJsonIfExists } from "@msf/core";
import { buildQemuArgv, MachineSpecSchema, type StoredImage } from "@msf/qemu";
import { z } from "zod";
import { vmMachineSpec } from "../spec.ts";

/**
 * A ready snapshot: a deployed, idle VM's disk and memory, restored instead of booting and deploying.
 * One directory per key under the cache: disk.qcow2 (a layer over the golden image), state (QEMU's
 * migration stream), the SSH client key and host key the VM had (only to reach a restored VM until
 * it rotates them), its deployment record (no secret in it), manifest.json last.
 */
export const SnapshotManifestSchema = z.object({
  schemaVersion: z.literal(1),
  key: z.string(),
  distro: z.string(),
  /** The golden image it was made from: the disk layer's backing file. */
  imageKey: z.string(),
  accel: z.enum(["kvm", "tcg"]),
  memoryMiB: z.number().int(),
  cpus: z.number().int(),
  sshUser: z.string(),
  hostPublicKey: z.string(),
  createdAt: z.string(),
  /** Bytes of the memory state, and how long saving it took. */
  stateBytes: z.number(),
  saveMs: z.number(),
  /** How long the guest took to settle before the save (its services' start-up work). */
  settleMs: z.number().optional(),
});
export type SnapshotManifest = z.infer<typeof SnapshotManifestSchema>;

export interface StoredSnapshot {
  dir: string;
  manifest: SnapshotManifest;
  disk: string;
  state: string;
  keyPath: string;
}

export interface SnapshotKeyInput {
  imageKey: string;
  accel: "kvm" | "tcg";
  memoryMiB: number;
  cpus: number;
  /** QEMU's command line for it, paths aside (machineFingerprint): another device, another snapshot. */
  machine: string;
  /** What was deployed into it (the recipe's fingerprint for the mail setup): another deployment, another snapshot. */
  deployment: string;
}

/** What a snapshot is (3: saved once the guest settled): a change to it is a new key, so an older one is never read. */
const SNAPSHOT_FORMAT = 3;

/** Pure: the key of the snapshot a VM of these inputs would be restored from. */
export function snapshotKey(input: SnapshotKeyInput): string {
  const canonical = JSON.stringify([SNAPSHOT_FORMAT, input.imageKey, input.accel, input.memoryMiB, input.cpus, input.machine, input.deployment]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** Pure: a hash of the QEMU argv a VM of this image gets, with its per-VM paths left out. */
export function machineFingerprint(distribution: Distribution, image: StoredImage, accel: "kvm" | "tcg"): string {
  const credentials = { keyPath: "", publicKey: "", hostKeyPath: "k", hostPublicKey: "", authorizedKeysPath: "a" };
  const spec = vmMachineSpec({ name: "snapshot", distribution, image, overlay: "o", serialLog: "s", qmpSocket: "q", credentials });
  return createHash("sha256")
    .update(JSON.stringify(buildQemuArgv(MachineSpecSchema.parse(spec), accel)))
    .digest("hex")
    .slice(0, 16);
}

export const snapshotsDir = (cache: string) => join(cache, "snapshots");
export const snapshotDir = (cache: string, distro: string, key: string) => join(snapshotsDir(cache), distro, key);

export function storedSnapshot(dir: string, manifest: SnapshotManifest): StoredSnapshot {
  return { dir, manifest, disk: join(dir, "disk.qcow2"), state: join(dir, "state"), keyPath: join(dir, "id_ed25519") };
}

/** The complete snapshot of that key, if there is one (a half-written one has no manifest yet). */
export async function findSnapshot(cache: string, distro: string, key: string): Promise<StoredSnapshot | undefined> {
  const dir = snapshotDir(cache, distro, key);
  const parsed = SnapshotManifestSchema.safeParse(await readJsonIfExists(join(dir, "manifest.json")));
  return parsed.success && parsed.data.key === key ? storedSnapshot(dir, parsed.data) : undefined;
}

/** Removes every snapshot whose golden image is not among `imageKeys`. */
export async function removeSnapshotsOf(cache: string, imageKeys: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const distro of await readdir(snapshotsDir(cache)).catch(() => [] as string[])) {
    for (const name of await readdir(join(snapshotsDir(cache), distro)).catch(() => [] as string[])) {
      if (name.startsWith(".")) continue; // a save in progress
      const dir = join(snapshotsDir(cache), distro, name);
      const manifest = SnapshotManifestSchema.safeParse(await readJsonIfExists(join(dir, "manifest.json")));
      if (manifest.success && imageKeys.has(manifest.data.imageKey)) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
