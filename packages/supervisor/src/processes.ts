import { MsfError, processGroupMembers, readProcStat } from "@msf/core";
import type { RecordState } from "./classify.ts";
import type { MsfContext } from "./context.ts";
import type { ProcessRecord } from "./types.ts";

export interface ProcessView {
  name: string;
  pid: number;
  state: Exclude<RecordState, "gone">;
  /** The msf process watching it; null for detached ones (VMs left up by `msf vm up`). */
  ownerPid: number | null;
  command: string[];
  startedAt: string;
  elapsedMs: number;
  /** CPU time of the whole process group. */
  cpuSeconds: number;
  /** Average use since start, in percent of one core. */
  cpuPercent: number;
  rssBytes: number;
  timeoutMs: number;
  timeoutLeftMs: number;
  logs: ProcessRecord["logs"];
  meta: Record<string, string>;
}

/** Supervised processes, after clearing records of processes that are gone. */
export async function listProcesses(ctx: MsfContext): Promise<{ processes: ProcessView[]; cleared: ProcessRecord[] }> {
  const { cleared } = await ctx.registry.recover();
  const now = Date.now();
  const processes: ProcessView[] = [];
  for (const { record, state } of await ctx.registry.list()) {
    if (state === "gone") continue;
    const members = processGroupMembers(record.pid);
    const tree = members.length ? members : [readProcStat(record.pid)].filter((p) => p !== undefined);
    const cpuSeconds = tree.reduce((sum, p) => sum + p.cpuSeconds, 0);
    const elapsedMs = now - record.startedAt;
    processes.push({
      name: record.name,
      pid: record.pid,
      state,
      ownerPid: record.owner?.pid ?? null,
      command: record.command,
      startedAt: new Date(record.startedAt).toISOString(),
      elapsedMs,
      cpuSeconds,
      cpuPercent: elapsedMs > 0 ? Math.round((cpuSeconds * 1_000_000) / elapsedMs) / 10 : 0,
      rssBytes: tree.reduce((sum, p) => sum + p.rssBytes, 0),
      timeoutMs: record.timeoutMs,
      timeoutLeftMs: Math.max(0, record.startedAt + record.timeoutMs - now),
      logs: record.logs,
      meta: record.meta,
    });
  }
  return { processes, cleared };
}

export interface KilledProcess {
  name: string;
  pid: number;
  wasRunning: boolean;
  /** SIGTERM was not enough. */
  forced: boolean;
}

/** Ends supervised processes by name or pid: their whole process groups, SIGTERM then SIGKILL. */
export async function killProcess(ctx: MsfContext, target: string, graceMs?: number): Promise<KilledProcess[]> {
  await ctx.registry.recover();
  const views = await ctx.registry.list();
  const matches = views.filter((v) => v.record.name === target || String(v.record.pid) === target);
  if (matches.length === 0) {
    const names = views.map((v) => v.record.name);
    throw new MsfError("ERR_MSF_NOT_FOUND", `no supervised process named ${target}`, {
      hint: names.length ? `running: ${names.join(", ")}` : "msf ps lists supervised processes (none are running)",
    });
  }
  const killed: KilledProcess[] = [];
  for (const { record } of matches) {
    const result = await ctx.registry.end(record, graceMs);
    killed.push({ name: record.name, pid: record.pid, ...result });
  }
  return killed;
}
