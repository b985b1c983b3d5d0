import type { QmpClient } from "./qmp.ts";

export interface HostForward {
  protocol: "tcp" | "udp";
  hostAddress: string;
  hostPort: number;
  guestAddress: string;
  guestPort: number;
}

/**
 * Pure: the host forwards in the text of HMP `info usernet`, e.g.
 * `  TCP[HOST_FORWARD]  11       127.0.0.1 35721       10.0.2.15    22     0     0`.
 */
export function parseUsernet(text: string): HostForward[] {
  const forwards: HostForward[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(TCP|UDP)\[HOST_FORWARD\]\s+\d+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)/.exec(line);
    if (!match) continue;
    forwards.push({
      protocol: (match[1] as string).toLowerCase() as "tcp" | "udp",
      hostAddress: match[2] as string,
      hostPort: Number(match[3]),
      guestAddress: match[4] as string,
      guestPort: Number(match[5]),
    });
  }
  return forwards;
}

/** Asks QEMU which host ports it bound for the user-network forwards (port 0 = any free port). */
export async function queryHostForwards(qmp: QmpClient): Promise<HostForward[]> {
  const text = await qmp.execute<string>("human-monitor-command", { "command-line": "info usernet" });
  return parseUsernet(text);
}

export interface VmStatus {
  running: boolean;
  status: string;
}

export function queryStatus(qmp: QmpClient): Promise<VmStatus> {
  return qmp.execute<VmStatus>("query-status");
}
