import { listProcesses } from "@msf/supervisor";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { bytes, duration, table } from "../format.ts";

export default command(z.object({}), async ({ reporter, ctx }) => {
  const { processes, cleared } = await listProcesses(ctx);
  const rows = processes.map((p) => [
    p.name,
    String(p.pid),
    p.state === "orphaned" ? reporter.paint("yellow", "orphaned") : p.ownerPid === null ? "detached" : "running",
    duration(p.elapsedMs),
    `${p.cpuSeconds.toFixed(1)}s (${p.cpuPercent}%)`,
    bytes(p.rssBytes),
    duration(p.timeoutLeftMs),
  ]);
  const lines = [processes.length ? table(["name", "pid", "state", "elapsed", "cpu", "memory", "timeout left"], rows) : "no supervised processes"];
  if (cleared.length) lines.push(`cleared ${cleared.length} record(s) of processes that had ended: ${cleared.map((r) => r.name).join(", ")}`);
  const orphans = processes.filter((p) => p.state === "orphaned");
  if (orphans.length) lines.push(`orphaned: their msf process died; end them with msf kill ${orphans.map((p) => p.name).join(" / ")}`);
  reporter.result({ processes, cleared: cleared.map((r) => ({ name: r.name, pid: r.pid })) }, lines.join("\n"));
  return EXIT_OK;
});
