import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { ImageManifestSchema } from "@msf/qemu";
import { makeTempDir, writeReadySnapshot } from "@msf/test-utils";
import { findSnapshot, machineFingerprint, removeSnapshotsOf, type SnapshotKeyInput, snapshotKey } from "@msf/vm";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

const base: SnapshotKeyInput = { imageKey: "14c148e430c4e94c", accel: "tcg", memoryMiB: 2048, cpus: 2, machine: "m1", deployment: "d1" };

function image(key: string) {
  const manifest = ImageManifestSchema.parse({
    schemaVersion: 1,
    distro: "debian-12",
    key,
    createdAt: "2026-11-25T00:00:00.000Z",
    buildMs: 1,
    recipe: {},
    disk: { file: "disk.qcow2", sha256: "0".repeat(64), sizeBytes: 1, format: "qcow2" },
    kernel: { file: "vmlinuz", sha256: "0".repeat(64), sizeBytes: 1 },
    append: "root=/dev/vda rw",
  });
  return { dir: `/images/${key}`, manifest, disk: `/images/${key}/disk.qcow2`, kernel: `/images/${key}/vmlinuz` };
}

describe("snapshotKey", () => {
  it("changes with every input: image, accelerator, memory, CPUs, machine, deployment", () => {
    const variants: SnapshotKeyInput[] = [
      { ...base, imageKey: "0000000000000000" },
      { ...base, accel: "kvm" },
      { ...base, memoryMiB: 4096 },
      { ...base, cpus: 4 },
      { ...base, machine: "m2" },
      { ...base, deployment: "d2" },
    ];
    const keys = new Set([snapshotKey(base), ...variants.map(snapshotKey)]);
    expect(keys.size).toBe(variants.length + 1);
    expect(snapshotKey({ ...base })).toBe(snapshotKey(base));
  });

  it("fingerprints the machine without its per-VM paths, and tells accelerators apart", () => {
    const distribution = findDistribution("debian-12");
    if (!distribution) throw new Error("no debian-12");
    expect(machineFingerprint(distribution, image("aaaa"), "tcg")).toBe(machineFingerprint(distribution, image("aaaa"), "tcg"));
    expect(machineFingerprint(distribution, image("aaaa"), "kvm")).not.toBe(machineFingerprint(distribution, image("aaaa"), "tcg"));
  });
});

describe("the snapshot store", () => {
  it("finds only a complete snapshot of the key asked for", async () => {
    temp = makeTempDir();
    writeReadySnapshot(temp.path, { key: "aaaa", imageKey: "img1" });
    writeReadySnapshot(temp.path, { key: "bbbb", imageKey: "img1", complete: false });
    expect((await findSnapshot(temp.path, "debian-12", "aaaa"))?.manifest.imageKey).toBe("img1");
    expect(await findSnapshot(temp.path, "debian-12", "bbbb")).toBeUndefined();
    expect(await findSnapshot(temp.path, "debian-13", "aaaa")).toBeUndefined();
  });

  it("removes the snapshots whose image is gone, and leaves the others and a save in progress", async () => {
    temp = makeTempDir();
    const kept = writeReadySnapshot(temp.path, { key: "aaaa", imageKey: "img1" });
    const orphan = writeReadySnapshot(temp.path, { key: "bbbb", imageKey: "img2" });
    const saving = join(temp.path, "snapshots", "debian-12", ".partial-0123");
    mkdirSync(saving);
    expect(await removeSnapshotsOf(temp.path, new Set(["img1"]))).toEqual([orphan]);
    expect([existsSync(kept), existsSync(orphan), existsSync(saving)]).toEqual([true, false, true]);
  });
});
