import { readdirSync, readFileSync } from "node:fs";

/** Pids of QEMU processes whose command line mentions `dir` (a test's home): none may outlive a test. */
export function qemuProcessesUnder(dir: string): number[] {
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return cmdline.startsWith("qemu-system") && cmdline.includes(dir);
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}
