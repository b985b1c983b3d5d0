import { readdirSync, readFileSync } from "node:fs";

/** Linux x86_64 constants: USER_HZ and page size as the kernel reports them in /proc. */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks after boot: with the pid, it identifies a process across pid reuse. */
  startTicks: number;
  cpuSeconds: number;
  rssBytes: number;
}

/** Reads /proc/<pid>/stat; undefined when the process does not exist. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: the fields after it start behind the last ')'.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  const num = (index: number) => Number(fields[index - 3]);
  return {
    pid,
    comm,
    state: fields[0] ?? "?",
    ppid: num(4),
    pgid: num(5),
    startTicks: num(22),
    cpuSeconds: (num(14) + num(15)) / CLOCK_TICKS_PER_SECOND,
    rssBytes: num(24) * PAGE_SIZE,
  };
}

/** True when `pid` runs and is the same process that had `startTicks` (not a reused pid, not a zombie). */
export function isProcessAlive(pid: number, startTicks?: number): boolean {
  const stat = readProcStat(pid);
  if (!stat || stat.state === "Z") return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

export function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** Every live process of a process group. */
export function processGroupMembers(pgid: number): ProcStat[] {
  return allProcesses().filter((p) => p.pgid === pgid && p.state !== "Z");
}

/** Every live descendant of `pid` (children that left the group too). */
export function descendants(pid: number): ProcStat[] {
  const all = allProcesses();
  const found: ProcStat[] = [];
  const parents = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!parents.has(p.pid) && parents.has(p.ppid)) {
        parents.add(p.pid);
        if (p.state !== "Z") found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/** When the process started, in ms since the epoch. */
export function processStartedAt(startTicks: number): number {
  const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
  return Number(btime?.[1] ?? 0) * 1000 + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
}
