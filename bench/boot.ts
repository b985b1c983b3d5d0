// Boot-to-ready per readiness phase (median of RUNS boots of Debian 12 under this host's
// accelerator), and readiness detection latency: when msf reports `ssh-auth` versus when an
// independent `ssh` loop in the same script first logs in. Goal: msf within 1 s of the loop.
// The image comes from the user cache (built on first use); VM state goes to a temporary dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { resolveMsfPaths } from "@msf/core";
import { ReadinessPhases } from "@msf/qemu";
import { createContext } from "@msf/supervisor";
import { readVmState, vmDown, vmUp } from "@msf/vm";
import { median, report, summarize } from "./stats.ts";

const RUNS = Number(process.env.RUNS ?? 3);
const DISTRO = process.env.DISTRO ?? "debian-12";
const state = mkdtempSync(join(tmpdir(), "msf-bench-boot-"));
const ctx = createContext({ env: { ...process.env, MSF_HOME: state, MSF_CACHE: resolveMsfPaths().cache } });

const phaseTimes: Record<string, number[]> = Object.fromEntries(ReadinessPhases.map((p) => [p, []]));
const readyMs: number[] = [];
const detection: number[] = [];

try {
  for (let i = 0; i < RUNS; i++) {
    const name = `bench-${i}`;
    let msfAuthAt = 0;
    let authDetail = "";
    let bannerAt = 0;
    let loop: Promise<number> | undefined;
    const stop = new AbortController();
    const vm = await vmUp(ctx, {
      distro: DISTRO,
      name,
      lifetimeMs: 30 * 60_000,
      onEvent: (event) => {
        if (event.type === "launched") loop = firstSshLogin(name, stop.signal);
        if (event.type === "phase" && event.phase === "ssh-banner") bannerAt = Date.now();
        if (event.type === "phase" && event.phase === "ssh-auth") {
          msfAuthAt = Date.now();
          authDetail = event.detail ?? "";
        }
      },
    });
    const loopAt = await loop;
    stop.abort();
    for (const phase of ReadinessPhases) phaseTimes[phase]?.push(vm.phases[phase]?.atMs ?? Number.NaN);
    readyMs.push(vm.readyMs ?? Number.NaN);
    if (loopAt) detection.push(msfAuthAt - loopAt);
    console.error(
      `run ${i + 1}/${RUNS}: ready in ${vm.readyMs} ms; msf ssh-auth ${loopAt ? msfAuthAt - loopAt : "?"} ms after the ssh loop (${authDetail}; banner ${loopAt ? bannerAt - loopAt : "?"} ms)`,
    );
    await vmDown(ctx, { name, graceMs: 60_000 });
  }
} finally {
  rmSync(state, { recursive: true, force: true });
}

/** An independent observer: the system ssh client, tried every 100 ms, each try bounded. */
async function firstSshLogin(name: string, signal: AbortSignal): Promise<number> {
  let vm = await readVmState(ctx.paths.vms, name);
  while (!vm && !signal.aborted) {
    await sleep(50);
    vm = await readVmState(ctx.paths.vms, name);
  }
  while (vm && !signal.aborted) {
    const result = await ctx.supervisor.run({
      name: "bench-ssh-loop",
      command: "ssh",
      args: [
        "-i",
        vm.ssh.keyPath,
        "-o",
        `UserKnownHostsFile=${vm.ssh.knownHostsPath}`,
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=2",
        "-p",
        String(vm.ssh.port),
        "root@127.0.0.1",
        "true",
      ],
      timeoutMs: 10_000,
      signal,
    });
    if (result.exitCode === 0) return Date.now();
    await sleep(100);
  }
  return 0;
}

report("boot", {
  distro: DISTRO,
  runs: RUNS,
  accel: (await import("node:fs")).existsSync("/dev/kvm") ? "probed per host (see msf doctor)" : "tcg (/dev/kvm missing)",
  medianPhaseAtMs: Object.fromEntries(Object.entries(phaseTimes).map(([phase, values]) => [phase, median(values)])),
  readyMs: summarize(readyMs),
  detectionLatencyMs: summarize(detection),
  goal: "msf reports ssh-auth within 1000 ms of the first successful independent ssh login",
  met: detection.length === RUNS && Math.max(...detection) <= 1000,
});
