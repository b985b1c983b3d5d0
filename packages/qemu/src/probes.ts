import { setTimeout as sleep } from "node:timers/promises";
import { connectSsh, readBanner, type SshSession, type SshTarget } from "@msf/ssh";
import type { QmpClient } from "./qmp.ts";
import type { ReadinessPhase } from "./readiness.ts";
import type { SerialTap } from "./serial-tap.ts";
import { queryStatus } from "./usernet.ts";
import type { PhaseProbe } from "./wait-ready.ts";

const RETRY_MS = 200;
const FOREVER = 24 * 3_600_000; // probes end by their AbortSignal, not by their own clocks

export interface MachineProbeInputs {
  qmp: QmpClient;
  tap: SerialTap;
  ssh: SshTarget;
  /** Receives the authenticated session of the ssh-auth phase (the caller closes it). */
  onSession?: (session: SshSession) => void;
}

/** The standard readiness probes of an msf VM: QMP status, console output, SSH banner, SSH login, systemd. */
export function machineProbes(inputs: MachineProbeInputs): Record<ReadinessPhase, PhaseProbe> {
  let session: SshSession | undefined;
  const { host, port } = inputs.ssh;
  return {
    process: async () => {
      const status = await queryStatus(inputs.qmp);
      return `QEMU ${status.status}`;
    },
    kernel: async (signal) => {
      await inputs.tap.waitForOutput({ timeoutMs: FOREVER, signal });
      return inputs.tap.lastLines(1)[0]?.slice(0, 80);
    },
    "ssh-banner": (signal) => retry(signal, () => readBanner(host, port, 5_000)),
    "ssh-auth": (signal) =>
      retry(signal, async () => {
        const candidate = await connectSsh(inputs.ssh, { timeoutMs: 15_000, signal });
        const who = await candidate.exec(["id", "-un"], { timeoutMs: 15_000, signal }).catch((error: unknown) => {
          candidate.close();
          throw error;
        });
        if (who.exitCode !== 0) {
          candidate.close();
          throw new Error(`\`id -un\` exited with ${who.exitCode}`);
        }
        session = candidate;
        inputs.onSession?.(candidate);
        return `logged in as ${who.stdout.trim()}`;
      }),
    system: async (signal) => {
      if (!session) throw new Error("no SSH session from the ssh-auth phase");
      const active = session;
      return retry(signal, async () => {
        const result = await active.exec(["systemctl", "is-system-running", "--wait"], { timeoutMs: 600_000, signal });
        const state = result.stdout.trim();
        if (state === "running") return state;
        if (state === "degraded") {
          const failed = await active.exec(["systemctl", "--failed", "--no-legend", "--plain"], { timeoutMs: 30_000, signal });
          const units = failed.stdout
            .split("\n")
            .map((line) => line.split(/\s+/)[0])
            .filter(Boolean);
          return `degraded (failed: ${units.join(", ") || "none listed"})`;
        }
        throw new FatalProbeError(`systemd reports "${state || result.stderr.trim()}"`);
      });
    },
  };
}

class FatalProbeError extends Error {}

/** Tries `work` until it succeeds, fails fatally, or the signal aborts. */
async function retry<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  let last: unknown;
  while (!signal.aborted) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FatalProbeError) throw error;
      last = error;
    }
    await sleep(RETRY_MS, undefined, { signal }).catch(() => {});
  }
  throw last instanceof Error ? last : new Error("aborted");
}
