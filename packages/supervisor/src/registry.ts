import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { isProcessAlive, readProcStat, writeJsonAtomic } from "@msf/core";
import { classifyRecord, type RecordState } from "./classify.ts";
import { endTree } from "./kill.ts";
import { acquireLock } from "./lock.ts";
import { type ProcessRecord, ProcessRecordSchema } from "./types.ts";

export interface RecordView {
  record: ProcessRecord;
  state: RecordState;
}

export interface RecoveryReport {
  /** Records of processes that no longer run (or whose pid now belongs to another process): removed. */
  cleared: ProcessRecord[];
  /** Still running, but the msf process that watched them is gone. */
  orphans: ProcessRecord[];
}

/**
 * The pid registry: one JSON file per supervised process (named by its pid), written or removed
 * atomically, so adding and removing need no lock; recovery runs under one that dies with its
 * holder. It survives a crash of msf: the next start clears what is gone and reports what runs
 * without an owner.
 */
export class ProcessRegistry {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async add(record: ProcessRecord): Promise<void> {
    await writeJsonAtomic(this.fileOf(record), record);
  }

  async remove(record: ProcessRecord): Promise<void> {
    await rm(this.fileOf(record), { force: true });
  }

  async list(): Promise<RecordView[]> {
    const records = await this.readAll();
    return records.map((record) => ({ record, state: classifyRecord(record, isProcessAlive) }));
  }

  async recover(): Promise<RecoveryReport> {
    return this.locked(async () => {
      const report: RecoveryReport = { cleared: [], orphans: [] };
      for (const record of await this.readAll()) {
        const state = classifyRecord(record, isProcessAlive);
        if (state === "gone") {
          await rm(this.fileOf(record), { force: true });
          report.cleared.push(record);
        } else if (state === "orphaned") {
          report.orphans.push(record);
        }
      }
      await this.removeStaleTempFiles();
      return report;
    });
  }

  /** Ends a recorded process tree (SIGTERM, grace, SIGKILL) after checking it is still the same process. */
  async end(record: ProcessRecord, graceMs = record.graceMs): Promise<{ wasRunning: boolean; forced: boolean }> {
    const result = isProcessAlive(record.pid, record.startTicks) ? await endTree(record.pid, graceMs) : { wasRunning: false, forced: false };
    await this.remove(record);
    return result;
  }

  fileOf(record: Pick<ProcessRecord, "name" | "pid">): string {
    return join(this.dir, `${record.name.replace(/[^A-Za-z0-9._-]/g, "_")}.${record.pid}.json`);
  }

  private async readAll(): Promise<ProcessRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records: ProcessRecord[] = [];
    for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith("."))) {
      const parsed = ProcessRecordSchema.safeParse(await readJson(join(this.dir, name)));
      if (parsed.success) records.push(parsed.data);
    }
    return records.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Temporary files of writers that died between write and rename. */
  private async removeStaleTempFiles(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const writer = /^\..*\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      if (writer && !readProcStat(Number(writer[1]))) await rm(join(this.dir, name), { force: true });
    }
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const lock = await acquireLock(join(this.dir, ".lock"), { timeoutMs: 10_000 });
    try {
      return await work();
    } finally {
      await lock.release();
    }
  }
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}
