import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { requireRegularFiles } from "./safe-extract.ts";

export interface BootFiles {
  kernel: string;
  initrd: string;
  /** The ISO's volume id (installers find their media by it, e.g. inst.stage2=hd:LABEL=...). */
  volumeId: string;
}

/** Pure: xorriso's argv to copy files out of an ISO without mounting it. */
export function xorrisoExtractArgv(iso: string, files: Array<[inside: string, outside: string]>): string[] {
  return ["-osirrox", "on", "-indev", iso, ...files.flatMap(([inside, outside]) => ["-extract", inside, outside])];
}

/** Pure: the volume id in `xorriso -pvd_info` output. */
export function parseVolumeId(text: string): string {
  return /^Volume Id\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? "";
}

/**
 * The installer's kernel and initrd from an ISO (paths from the catalog), plus its volume id;
 * boot.json describes them. Only plain files are taken: a symlink or hard link in the ISO is refused.
 */
export async function extractBootFiles(supervisor: Supervisor, iso: string, paths: { kernel: string; initrd: string }, out: string): Promise<BootFiles> {
  await mkdir(out, { recursive: true });
  const files: BootFiles = { kernel: join(out, "vmlinuz"), initrd: join(out, "initrd"), volumeId: "" };
  await Promise.all([rm(files.kernel, { force: true }), rm(files.initrd, { force: true })]);
  await supervisor.exec({
    name: "xorriso-extract",
    command: "xorriso",
    args: xorrisoExtractArgv(iso, [
      [paths.kernel, files.kernel],
      [paths.initrd, files.initrd],
    ]),
    timeoutMs: 10 * 60_000,
  });
  await requireRegularFiles([files.kernel, files.initrd], iso);
  const info = await supervisor.exec({ name: "xorriso-pvd", command: "xorriso", args: ["-indev", iso, "-pvd_info"], timeoutMs: 60_000 });
  files.volumeId = parseVolumeId(`${info.stdout}\n${info.stderr}`);
  await writeJsonAtomic(join(out, "boot.json"), { ...files, iso, from: paths });
  return files;
}
