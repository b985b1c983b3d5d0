// An upgrade in place (default Debian 12 -> 13 with msf's recipe), RUNS times (default 3), on this
// host: the median time of each stage (before, upgrade, reboot, after, redeploy) and of each upgrade
// step, and the upgrade stage split into package download (apt's "Fetched ... in ..."), the rest of
// apt's work (unpack, configure) and msf's own waiting around the steps. Needs the Debian archive;
// about half an hour per run under TCG.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createContext } from "@msf/supervisor";
import { vmDown, vmUpgrade } from "@msf/vm";
import { report } from "./stats.ts";
import { type Sample, sampleOf, upgradeSummary } from "./upgrade-sample.ts";

const FROM = process.env.FROM ?? "debian-12";
const TO = process.env.TO ?? "debian-13";
const RUNS = Number(process.env.RUNS ?? 3);
// The state directory of this shell ($MSF_HOME or .msf): its golden images are reused.
const ctx = createContext();

const runs: Sample[] = [];

for (let i = 0; i < RUNS; i++) {
  const name = `bench-upgrade-${i}`;
  try {
    const result = await vmUpgrade(ctx, { from: FROM, to: [TO], name });
    const [hop] = result.hops;
    if (!hop) throw new Error("no hop ran");
    const sample = sampleOf(hop, (log) => readFileSync(join(result.dir, log), "utf8"));
    runs.push(sample);
    console.error(`run ${i + 1}/${RUNS}: ${JSON.stringify(sample)}`);
  } finally {
    await vmDown(ctx, { name, graceMs: 0 }).catch(() => undefined);
  }
  // Kept after every run: an hour and a half of runs is not lost to one failure.
  report("upgrade", { hop: `${FROM} -> ${TO}`, of: RUNS, ...upgradeSummary(runs) });
}
