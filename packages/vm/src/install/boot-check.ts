import { join } from "node:path";
import { MsfError } from "@msf/core";
import { type Accelerator, diskTools, endMachine, launchMachine } from "@msf/qemu";
import type { MsfContext } from "@msf/supervisor";
import { qmpSocketPath } from "../credentials.ts";

export interface BootCheck {
  /** What the console must show (default: a login prompt). */
  pattern?: RegExp;
  /** Boot this kernel with the disk attached instead of the disk's own boot loader. */
  kernel?: string;
  initrd?: string;
  append?: string;
  timeoutMs?: number;
}

const LOGIN_PROMPT = /\blogin: ?$/;

/** Boots the installed disk (through a throwaway overlay, so the image stays pristine) until its console shows the pattern. */
export async function bootCheck(
  ctx: MsfContext,
  input: { disk: string; accel: Accelerator; dir: string; distro: string; check?: BootCheck },
): Promise<{ matched: string; ms: number }> {
  const check = input.check ?? {};
  const overlay = join(input.dir, "boot-check.qcow2");
  await diskTools(ctx.supervisor).overlay(input.disk, overlay);
  const timeoutMs = check.timeoutMs ?? (input.accel === "kvm" ? 120_000 : 300_000) * ctx.timeoutScale;
  const machine = await launchMachine({
    spec: {
      name: `boot-check-${input.distro}`,
      memoryMiB: 1024,
      disks: [{ path: overlay }],
      boot: check.kernel ? { kind: "kernel", kernel: check.kernel, initrd: check.initrd, append: check.append ?? "" } : { kind: "firmware", order: "c" },
      serialLog: join(input.dir, "boot-check.log"),
      qmpSocket: qmpSocketPath(join(input.dir, "boot-check")),
    },
    accel: input.accel,
    supervisor: ctx.supervisor,
    lifetimeMs: timeoutMs + 30_000,
    meta: { distro: input.distro, kind: "boot-check" },
  });
  try {
    const matched = await Promise.race([
      machine.tap.waitForLine(check.pattern ?? LOGIN_PROMPT, { timeoutMs, signal: ctx.signal }),
      machine.exited.then(() => {
        throw new MsfError("ERR_MSF_INSTALL", `the installed disk did not boot: QEMU ended before ${check.pattern ?? LOGIN_PROMPT}`, {
          details: { lastLines: machine.tap.lastLines(15) },
        });
      }),
    ]);
    return { matched, ms: Date.now() - machine.startedAt };
  } finally {
    await endMachine(machine);
  }
}
