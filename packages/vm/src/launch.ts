import { join } from "node:path";
import type { Distribution } from "@msf/catalog";
import { type AccelVerdict, type LaunchedMachine, launchMachine, type StoredImage } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { qmpSocketPath, type VmCredentials, writeKnownHosts } from "./credentials.ts";
import { vmMachineSpec } from "./spec.ts";
import { type VmState, writeVmState } from "./state.ts";

export interface LaunchVmInput {
  name: string;
  distribution: Distribution;
  image: StoredImage;
  dir: string;
  overlay: string;
  credentials: VmCredentials;
  accel: AccelVerdict["accel"];
  lifetimeMs: number;
  endsWithProcess?: boolean;
  memoryMiB?: number;
  cpus?: number;
  sshUser: string;
  /** Start paused, waiting for a ready snapshot's state (whose key this is), instead of booting. */
  restoredFrom?: string;
}

/** Starts a VM's QEMU and records it: vm.json (status booting) and a known_hosts that pins this VM's host key. */
export async function launchVm(ctx: MsfContext, input: LaunchVmInput): Promise<{ machine: LaunchedMachine; state: VmState }> {
  const { name, distribution, image, dir, credentials } = input;
  const serialLog = join(dir, "serial.log");
  const qmpSocket = qmpSocketPath(dir);
  const spec = vmMachineSpec({
    name,
    distribution,
    image,
    overlay: input.overlay,
    serialLog,
    qmpSocket,
    credentials,
    memoryMiB: input.memoryMiB,
    cpus: input.cpus,
  });
  const machine = await launchMachine({
    spec: { ...spec, incoming: Boolean(input.restoredFrom) },
    accel: input.accel,
    supervisor: ctx.supervisor,
    lifetimeMs: input.lifetimeMs,
    detached: true,
    endsWithParent: input.endsWithProcess,
    meta: { distro: distribution.id },
  });
  const sshPort = machine.ports.ssh as number;
  const knownHostsPath = join(dir, "known_hosts");
  await writeKnownHosts(knownHostsPath, sshPort, credentials.hostPublicKey);
  const state: VmState = {
    schemaVersion: 1,
    name,
    distro: distribution.id,
    status: "booting",
    pid: machine.process.pid,
    startTicks: machine.process.record.startTicks,
    startedAt: new Date(machine.startedAt).toISOString(),
    expiresAt: new Date(machine.startedAt + input.lifetimeMs).toISOString(),
    accel: input.accel,
    image: { key: image.manifest.key, dir: image.dir },
    dir,
    serialLog,
    qmpSocket,
    ssh: { host: "127.0.0.1", port: sshPort, user: input.sshUser, keyPath: credentials.keyPath, knownHostsPath, hostKey: credentials.hostPublicKey },
    ports: machine.ports,
    ...(input.restoredFrom ? { restoredFrom: input.restoredFrom } : {}),
  };
  await writeVmState(state);
  return { machine, state };
}
