import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { MsfError } from "@msf/core";
import { lastLines, type RunResult, type Supervised, type Supervisor } from "@msf/supervisor";
import { buildQemuArgv, QEMU_BINARY } from "./argv.ts";
import { QmpClient } from "./qmp.ts";
import { SerialTap } from "./serial-tap.ts";
import { type Accelerator, type MachineSpec, type MachineSpecInput, MachineSpecSchema } from "./spec.ts";
import { queryHostForwards } from "./usernet.ts";

export interface LaunchOptions {
  spec: MachineSpecInput;
  accel: Accelerator;
  supervisor: Supervisor;
  /** Hard limit on the machine's life; it is ended then, whatever it is doing. */
  lifetimeMs: number;
  /** Keep running after this msf process exits (`msf vm up`); its backstop still ends it at `lifetimeMs`. */
  detached?: boolean;
  /** Detached, yet ended when this process dies (a queue worker's VMs). */
  endsWithParent?: boolean;
  meta?: Record<string, string>;
}

export interface LaunchedMachine {
  spec: MachineSpec;
  accel: Accelerator;
  argv: string[];
  process: Supervised;
  startedAt: number;
  qmp: QmpClient;
  tap: SerialTap;
  /** Host port per forward name, as bound by QEMU. */
  ports: Record<string, number>;
  /** Settles when QEMU has exited. */
  exited: Promise<RunResult>;
}

/** Starts QEMU under the supervisor, connects QMP, follows the console and reads back the forwarded ports. */
export async function launchMachine(options: LaunchOptions): Promise<LaunchedMachine> {
  const spec = MachineSpecSchema.parse(options.spec);
  const argv = buildQemuArgv(spec, options.accel);
  await mkdir(dirname(spec.serialLog), { recursive: true });
  await mkdir(dirname(spec.qmpSocket), { recursive: true });
  await rm(spec.qmpSocket, { force: true });
  const tap = new SerialTap(spec.serialLog);
  await tap.start();
  const qemu = await options.supervisor.start({
    name: `qemu-${spec.name}`,
    command: QEMU_BINARY,
    args: argv,
    timeoutMs: options.lifetimeMs,
    graceMs: 10_000,
    detached: options.detached,
    endsWithParent: options.endsWithParent,
    logDir: dirname(spec.serialLog),
    meta: { kind: "vm", vm: spec.name, qmp: spec.qmpSocket, ...options.meta },
  });
  try {
    const qmp = await Promise.race([
      QmpClient.connect(spec.qmpSocket, { timeoutMs: 15_000 }),
      qemu.result.then((result) => {
        throw startFailure(spec.name, result);
      }),
    ]);
    const bound = await queryHostForwards(qmp);
    const ports: Record<string, number> = {};
    for (const forward of spec.forwards) {
      const match = bound.find((b) => b.guestPort === forward.guestPort && b.protocol === forward.protocol);
      if (!match) throw new MsfError("ERR_MSF_QMP", `QEMU did not report a host port for ${forward.name} (guest ${forward.protocol}/${forward.guestPort})`);
      ports[forward.name] = match.hostPort;
    }
    return { spec, accel: options.accel, argv, process: qemu, startedAt: qemu.record.startedAt, qmp, tap, ports, exited: qemu.result };
  } catch (error) {
    qemu.kill();
    await qemu.result;
    await tap.stop();
    throw error;
  }
}

/** Ends a launched machine at once (its whole process group) and releases its QMP connection and console tap. */
export async function endMachine(machine: LaunchedMachine): Promise<void> {
  machine.process.kill();
  await machine.exited;
  machine.qmp.close();
  await machine.tap.stop();
}

function startFailure(name: string, result: RunResult): MsfError {
  const why = lastLines(result.stderr, 5).join("\n  ") || `exit code ${result.exitCode}`;
  return new MsfError("ERR_MSF_VM_BOOT", `QEMU could not start ${name}:\n  ${why}`, {
    hint: result.logs.stderr ? `QEMU's output: ${result.logs.stderr}` : "run `msf doctor`",
  });
}
