import { resolve } from "node:path";
import type { Supervisor } from "@msf/supervisor";

export const QEMU_IMG = "qemu-img";

export type DiskFormat = "qcow2" | "raw";

/** Pure argv builders for qemu-img (without the binary). */
export const qemuImgArgv = {
  create: (path: string, size: string, format: DiskFormat = "qcow2") => ["create", "-q", "-f", format, path, size],
  /** A qcow2 overlay: writes go to the overlay, the backing image is never modified (instant clone). */
  overlay: (backing: string, overlay: string, backingFormat: DiskFormat = "qcow2") => [
    "create",
    "-q",
    "-f",
    "qcow2",
    "-F",
    backingFormat,
    "-b",
    resolve(backing),
    overlay,
  ],
  /** To qcow2, optionally compressed with zstd (several times faster than zlib at a similar size). */
  convert: (from: string, to: string, options: { fromFormat?: DiskFormat; compress?: boolean } = {}) => [
    "convert",
    ...(options.fromFormat ? ["-f", options.fromFormat] : []),
    "-O",
    "qcow2",
    ...(options.compress ? ["-c", "-o", "compression_type=zstd"] : []),
    from,
    to,
  ],
  info: (path: string) => ["info", "--output=json", path],
};

export interface DiskInfo {
  format: string;
  virtualSizeBytes: number;
  actualSizeBytes: number;
  backingFile?: string;
}

/** Pure: the JSON of `qemu-img info --output=json` to a DiskInfo. */
export function parseDiskInfo(json: string): DiskInfo {
  const info = JSON.parse(json) as Record<string, unknown>;
  return {
    format: String(info.format),
    virtualSizeBytes: Number(info["virtual-size"]),
    actualSizeBytes: Number(info["actual-size"]),
    backingFile: typeof info["backing-filename"] === "string" ? info["backing-filename"] : undefined,
  };
}

/** qemu-img runners: each a supervised process with its own timeout. */
export function diskTools(supervisor: Supervisor) {
  const qemuImg = (name: string, args: string[], timeoutMs: number) => supervisor.exec({ name: `qemu-img-${name}`, command: QEMU_IMG, args, timeoutMs });
  return {
    create: async (path: string, size: string, format: DiskFormat = "qcow2") => void (await qemuImg("create", qemuImgArgv.create(path, size, format), 60_000)),
    overlay: async (backing: string, overlay: string, backingFormat: DiskFormat = "qcow2") =>
      void (await qemuImg("overlay", qemuImgArgv.overlay(backing, overlay, backingFormat), 60_000)),
    convert: async (from: string, to: string, options: { fromFormat?: DiskFormat; compress?: boolean } = {}) =>
      void (await qemuImg("convert", qemuImgArgv.convert(from, to, options), 20 * 60_000)),
    info: async (path: string) => parseDiskInfo((await qemuImg("info", qemuImgArgv.info(path), 60_000)).stdout),
  };
}

export type DiskTools = ReturnType<typeof diskTools>;
