import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A ready snapshot's directory in a cache, as `msf run` leaves it (only the manifest, which makes it complete, has content). */
export function writeReadySnapshot(cache: string, input: { key: string; imageKey: string; distro?: string; complete?: boolean }): string {
  const distro = input.distro ?? "debian-12";
  const dir = join(cache, "snapshots", distro, input.key);
  mkdirSync(dir, { recursive: true });
  const manifest = { schemaVersion: 1, key: input.key, distro, imageKey: input.imageKey, accel: "tcg", memoryMiB: 2048, cpus: 2, sshUser: "root" };
  const made = { hostPublicKey: "ssh-ed25519 AAAA", createdAt: "2026-11-30T00:00:00.000Z", stateBytes: 1, saveMs: 1 };
  if (input.complete ?? true) writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...manifest, ...made }));
  return dir;
}
