// How fast an emulated guest runs the work that dominates upgrades and checks (process start-up,
// maintainer-script commands), under QEMU/kernel settings that could make TCG faster. Each
// variant boots Debian 12's golden image (RUNS rounds, variants interleaved so host noise hits all
// alike) and times in the guest: 300 fork+exec of /bin/true, two such loops at once, ldconfig and
// systemctl daemon-reload. The ratios are against msf's settings (baseline) in the same run.
// QEMU flags are swapped by a wrapper first on PATH; kernel flags through the image's command line.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveMsfPaths } from "@msf/core";
import { requireDistribution } from "@msf/iso";
import { QEMU_BINARY } from "@msf/qemu";
import { createContext, findExecutable } from "@msf/supervisor";
import { goldenImage, vmDown, vmExec, vmUp } from "@msf/vm";
import { median, report } from "./stats.ts";

const RUNS = Number(process.env.RUNS ?? 3);
const DISTRO = "debian-12";

interface Variant {
  name: string;
  /** Appended to the kernel command line. */
  append?: string;
  /** One QEMU argument replaced by another. */
  qemu?: [from: string, to: string];
}

const VARIANTS: Variant[] = [
  { name: "baseline" },
  { name: "mitigations=off", append: "mitigations=off" },
  { name: "tsc clocksource", append: "tsc=reliable clocksource=tsc" },
  { name: "single-threaded TCG", qemu: ["tcg,thread=multi", "tcg,thread=single"] },
];

const WORKLOAD = `
ms() { echo $(( $(date +%s%N) / 1000000 )); }
forks() { for i in $(seq 300); do /bin/true; done; }
time_it() { local s=$(ms); "$@" >/dev/null 2>&1; echo "$(( $(ms) - s ))"; }
both() { forks & forks & wait; }
echo "forks $(time_it forks) parallel $(time_it both) ldconfig $(time_it ldconfig) daemon-reload $(time_it systemctl daemon-reload)"
`;
const MEASURES = ["forks", "parallel", "ldconfig", "daemon-reload", "readyMs"] as const;

const state = mkdtempSync(join(tmpdir(), "msf-bench-tcg-"));
const wrapperDir = join(state, "bin");
const realQemu = findExecutable(QEMU_BINARY);
if (!realQemu) throw new Error(`${QEMU_BINARY} not found on PATH`);
// The wrapper replaces one argument (MSF_BENCH_QEMU_FROM -> _TO) and execs the real QEMU in place (same pid).
const wrapper = join(wrapperDir, QEMU_BINARY);
mkdirSync(wrapperDir, { recursive: true });
writeFileSync(
  wrapper,
  `#!/bin/bash\nargs=()\nfor a in "$@"; do [ -n "$MSF_BENCH_QEMU_FROM" ] && [ "$a" = "$MSF_BENCH_QEMU_FROM" ] && a=$MSF_BENCH_QEMU_TO; args+=("$a"); done\nexec ${realQemu} "\${args[@]}"\n`,
);
chmodSync(wrapper, 0o755);

const cache = resolveMsfPaths().cache;
const samples: Record<string, Record<string, number[]>> = Object.fromEntries(VARIANTS.map((v) => [v.name, Object.fromEntries(MEASURES.map((m) => [m, []]))]));

// Children take this process's environment: the wrapper first on PATH, and the swap it makes.
Object.assign(process.env, { MSF_HOME: state, MSF_CACHE: cache, PATH: `${wrapperDir}:${process.env.PATH}` });
const ctx = createContext({ env: process.env });
try {
  const { image } = await goldenImage(ctx, requireDistribution(DISTRO));
  for (let round = 1; round <= RUNS; round++) {
    for (const [index, variant] of VARIANTS.entries()) {
      Object.assign(process.env, { MSF_BENCH_QEMU_FROM: variant.qemu?.[0] ?? "", MSF_BENCH_QEMU_TO: variant.qemu?.[1] ?? "" });
      const name = `tcg-${round}-${index}`;
      const append = [image.manifest.append, variant.append].filter(Boolean).join(" ");
      const vm = await vmUp(ctx, { distro: DISTRO, name, image: { ...image, manifest: { ...image.manifest, append } }, lifetimeMs: 20 * 60_000 });
      try {
        const out = await vmExec(ctx, { name, command: "bash -s", input: WORKLOAD, timeoutMs: 600_000 });
        const got: Record<string, number> = { readyMs: vm.readyMs ?? Number.NaN };
        for (const [, measure, ms] of out.stdout.matchAll(/(\S+) (\d+)/g)) got[measure as string] = Number(ms);
        for (const measure of MEASURES) samples[variant.name]?.[measure]?.push(got[measure] ?? Number.NaN);
        console.error(`round ${round}/${RUNS} ${variant.name}: ready ${vm.readyMs} ms; ${out.stdout.trim()} (ms)`);
      } finally {
        await vmDown(ctx, { name, graceMs: 30_000 });
      }
    }
  }
} finally {
  rmSync(state, { recursive: true, force: true });
}

const medians = Object.fromEntries(
  Object.entries(samples).map(([variant, byMeasure]) => [variant, Object.fromEntries(Object.entries(byMeasure).map(([m, v]) => [m, median(v)]))]),
);
const base = medians.baseline as Record<string, number>;
report("tcg", {
  distro: DISTRO,
  runs: RUNS,
  medianMs: medians,
  ratioToBaseline: Object.fromEntries(
    Object.entries(medians).map(([variant, byMeasure]) => [
      variant,
      Object.fromEntries(Object.entries(byMeasure).map(([m, v]) => [m, Number((v / (base[m] ?? Number.NaN)).toFixed(2))])),
    ]),
  ),
  samples,
  question: "does any QEMU or guest-kernel setting make the emulated guest's process-heavy work faster than msf's defaults?",
});
