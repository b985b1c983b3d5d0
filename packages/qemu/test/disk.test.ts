import { existsSync } from "node:fs";
import { join } from "node:path";
import { diskTools, qemuImgArgv } from "@msf/qemu";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

describe("disk tools (real qemu-img)", () => {
  it("creates a disk, an overlay backed by it, and a compressed copy", async () => {
    temp = makeTempDir();
    const disks = diskTools(createSupervisor());
    const base = join(temp.path, "base.qcow2");
    const overlay = join(temp.path, "overlay.qcow2");
    const copy = join(temp.path, "copy.qcow2");
    await disks.create(base, "64M");
    await disks.overlay(base, overlay);
    expect(await disks.info(overlay)).toMatchObject({ format: "qcow2", virtualSizeBytes: 64 * 2 ** 20, backingFile: base });
    await disks.convert(overlay, copy, { compress: true });
    const info = await disks.info(copy);
    expect(info.backingFile).toBeUndefined();
    expect(info.virtualSizeBytes).toBe(64 * 2 ** 20);
  });

  it("fails with qemu-img's own words on a bad input", async () => {
    temp = makeTempDir();
    const error = await diskTools(createSupervisor())
      .info(join(temp.path, "missing.qcow2"))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_PROCESS_FAILED" });
    expect(String((error as Error).message)).toMatch(/Could not open/);
    expect(existsSync(join(temp.path, "missing.qcow2"))).toBe(false);
  });

  it("builds argv for zstd compression", () => {
    expect(qemuImgArgv.convert("a.raw", "b.qcow2", { fromFormat: "raw", compress: true })).toEqual([
      "convert",
      "-f",
      "raw",
      "-O",
      "qcow2",
      "-c",
      "-o",
      "compression_type=zstd",
      "a.raw",
      "b.qcow2",
    ]);
  });
});
