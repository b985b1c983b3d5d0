// vCPU lever under oversubscription: two msf runs at once on one host (as the test suite's two VM
// workers, each msf counting the whole host as its own), every VM with the vCPUs msf gives it by
// default (the host's cores) or with one (`resources.cpus: 1`). Fewer vCPUs than busy host threads
// could waste less on guest spinning while a vCPU thread waits for a core. Each sample runs the same
// distribution (DISTRO, default Debian 12) in two homes at once from MSF_CACHE's image, without ready
// snapshots; variants alternate, RUNS rounds (default 3); medians compared in the same run.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus as hostCpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunConfig, runMatrix } from "@msf/run";
import { createContext } from "@msf/supervisor";
import { median, report } from "./stats.ts";

const distro = process.env.DISTRO ?? "debian-12";
const runs = Number(process.env.RUNS ?? 3);
const cores = hostCpus().length;
const variants = [cores, 1];
const state = mkdtempSync(join(tmpdir(), "msf-bench-vcpus-"));

/** The host's busy CPU time so far, all cores, in seconds (os.cpus() gives each core's in ms). */
const hostCpuSeconds = () => hostCpus().reduce((sum, { times }) => sum + (times.user + times.nice + times.sys + times.irq) / 1000, 0);

interface Sample {
  wallMs: number;
  cpuSeconds: number;
}

async function pair(cpus: number, round: number): Promise<Sample> {
  const config = parseRunConfig({ resources: { cpus }, images: { offline: true }, snapshots: false });
  const [started, cpu0] = [Date.now(), hostCpuSeconds()];
  const results = await Promise.all(
    ["a", "b"].map((home) =>
      runMatrix(createContext({ env: { ...process.env, MSF_HOME: join(state, `${cpus}-${round}-${home}`) } }), { config, distros: [distro] }),
    ),
  );
  const sample = { wallMs: Date.now() - started, cpuSeconds: Math.round(hostCpuSeconds() - cpu0) };
  for (const result of results) if (result.status !== "passed") throw new Error(`run ${result.runId} ${result.status}: see ${result.dir}`);
  console.error(`${cpus} vCPU(s) per VM, two runs at once: ${(sample.wallMs / 1000).toFixed(1)} s, ${sample.cpuSeconds} CPU-s`);
  return sample;
}

let passed = false;
try {
  const samples = new Map<number, Sample[]>(variants.map((cpus) => [cpus, []]));
  for (let round = 0; round < runs; round++) for (const cpus of variants) samples.get(cpus)?.push(await pair(cpus, round));
  const results = variants.map((cpus) => {
    const of = samples.get(cpus) ?? [];
    return { vcpus: cpus, wallMs: median(of.map((s) => s.wallMs)), cpuSeconds: median(of.map((s) => s.cpuSeconds)), samples: of };
  });
  const baseline = results[0]?.wallMs ?? Number.NaN;
  report("vcpus", {
    distro,
    runs,
    hostCores: cores,
    results: results.map((r) => ({ ...r, ratio: Math.round((r.wallMs / baseline) * 100) / 100 })),
  });
  passed = true;
} finally {
  if (passed) rmSync(state, { recursive: true, force: true });
  else console.error(`kept ${state} for the failed run`);
}
