import type { Socket } from "node:net";
import { hedge } from "@msf/core";
import { connectSsh, type SshSession, type SshSocket, type SshTarget, sh, waitForSshSocket } from "@msf/ssh";
import type { QmpClient } from "./qmp.ts";
import type { ReadinessPhase } from "./readiness.ts";
import type { SerialTap } from "./serial-tap.ts";
import { queryStatus } from "./usernet.ts";
import type { PhaseProbe } from "./wait-ready.ts";

// Each connection costs the booting guest an sshd child (fork + re-exec, slow under TCG), and sshd
// drops connections beyond MaxStartups: probe often, but never with more than two in flight.
const BANNER_INTERVAL_MS = 250;
const BANNER_MAX_PENDING = 2;
const RETRY_MS = 250;
const FOREVER = 24 * 3_600_000; // probes end by their AbortSignal, not by their own clocks
// systemd's console line when the SSH server's start job fails (ssh.service, sshd.service; the unit
// name may be cut at the console's width). No banner can come after it.
const SSHD_FAILED_LINE = /Failed to start sshd?\b/;

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
  let opened: SshSocket | undefined; // the connection that showed the banner goes on to log in
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
    "ssh-banner": async (signal) => {
      // The dialling first: on a missed deadline its abort error (with its last failure) is the one heard.
      const dialled = waitForSshSocket(host, port, { signal, intervalMs: BANNER_INTERVAL_MS, maxPending: BANNER_MAX_PENDING });
      const sshdFailed = inputs.tap.waitForLine(SSHD_FAILED_LINE, { timeoutMs: FOREVER, signal }).then((line) => {
        throw new Error(`sshd failed to start: ${line}`);
      });
      const found = await Promise.race([dialled, sshdFailed]);
      opened = found;
      return `${found.banner} (attempt ${found.attempts})`;
    },
    // The first login uses the banner's connection; after a failure, fresh connections, one at a time.
    "ssh-auth": async (signal) => {
      const first = opened?.socket;
      opened = undefined;
      const { value, attempts, failures } = await hedge(
        (decided, index) => login(inputs.ssh, AbortSignal.any([signal, decided]), index === 0 ? first : undefined),
        {
          signal,
          intervalMs: RETRY_MS,
          maxPending: 1,
          dispose: (loser) => loser.session.close(),
          what: "logging in over SSH",
        },
      );
      session = value.session;
      inputs.onSession?.(value.session);
      return `logged in as ${value.user}${attempts > 1 ? ` (attempt ${attempts}${failures.length ? `; ${failures.join("; ")}` : ""})` : ""}`;
    },
    system: async (signal) => {
      if (!session) throw new Error("no SSH session from the ssh-auth phase");
      const result = await session.exec(["systemctl", "is-system-running", "--wait"], { timeoutMs: FOREVER, signal });
      const state = result.stdout.trim();
      if (state === "running") return state;
      if (state !== "degraded") throw new Error(`systemd reports "${state || result.stderr.trim()}"`);
      const failed = await session.exec(["systemctl", "--failed", "--no-legend", "--plain"], { timeoutMs: 30_000, signal });
      const units = failed.stdout
        .split("\n")
        .map((line) => line.split(/\s+/)[0])
        .filter(Boolean);
      return `degraded (failed: ${units.join(", ") || "none listed"})`;
    },
  };
}

/** Logs in and runs a shell builtin (proof that a command runs, at no process cost to the guest). */
async function login(target: SshTarget, signal: AbortSignal, sock?: Socket): Promise<{ session: SshSession; user: string }> {
  const session = await connectSsh(target, { timeoutMs: 15_000, signal, sock });
  try {
    const who = await session.exec(sh`echo "$USER"`, { timeoutMs: 15_000, signal, raw: true });
    if (who.exitCode !== 0) throw new Error(`a command over ssh exited with ${who.exitCode}`);
    return { session, user: who.stdout.trim() };
  } catch (error) {
    session.close();
    throw error;
  }
}
