import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findImage, listImages, publishImage } from "@msf/qemu";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

async function publishSample(imagesDir: string, key = "k1") {
  const work = join(imagesDir, "..", `work-${key}`);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "disk"), "qcow2 bytes");
  writeFileSync(join(work, "vmlinuz"), "kernel bytes");
  writeFileSync(join(work, "initrd"), "initrd bytes");
  return publishImage({
    imagesDir,
    distro: "debian-12",
    key,
    files: { disk: join(work, "disk"), kernel: join(work, "vmlinuz"), initrd: join(work, "initrd") },
    manifest: { buildMs: 1234, recipe: { kind: "bootstrap", suite: "bookworm" }, append: "root=/dev/vda rw", sshUser: "root" },
  });
}

describe("golden image store", () => {
  it("publishes files with a manifest of their sha256, under the final name only when complete", async () => {
    temp = makeTempDir();
    const images = join(temp.path, "images");
    const stored = await publishSample(images);
    expect(readdirSync(join(images, "debian-12"))).toEqual(["k1"]);
    expect(stored.manifest).toMatchObject({
      schemaVersion: 1,
      distro: "debian-12",
      key: "k1",
      append: "root=/dev/vda rw",
      disk: { file: "disk.qcow2", sizeBytes: 11 },
    });
    expect(stored.manifest.disk.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await findImage(images, "debian-12", "k1", { verify: true })).toMatchObject({ disk: join(images, "debian-12", "k1", "disk.qcow2") });
    expect(await findImage(images, "debian-12", "other")).toBeUndefined();
    expect((await listImages(images)).map((i) => i.manifest.key)).toEqual(["k1"]);
  });

  it("refuses a damaged image: changed bytes (with verify) and a changed size (always)", async () => {
    temp = makeTempDir();
    const images = join(temp.path, "images");
    const stored = await publishSample(images);
    writeFileSync(stored.disk, "QCOW2 BYTES"); // same size, other content
    expect(await findImage(images, "debian-12", "k1")).toBeDefined();
    await expect(findImage(images, "debian-12", "k1", { verify: true })).rejects.toMatchObject({ code: "ERR_MSF_IMAGE_CORRUPT" });
    appendFileSync(stored.kernel as string, "!");
    await expect(findImage(images, "debian-12", "k1")).rejects.toThrow(/vmlinuz is 13 bytes, expected 12/);
  });

  it("does not list a half-published image", async () => {
    temp = makeTempDir();
    const images = join(temp.path, "images");
    mkdirSync(join(images, "debian-12", ".stage-k2-abcd"), { recursive: true });
    mkdirSync(join(images, "debian-12", "k3"), { recursive: true }); // no manifest
    expect(await listImages(images)).toEqual([]);
    expect(existsSync(join(images, "debian-12", "k3"))).toBe(true);
  });
});
