import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RetainedRun, runsToRemove } from "../src/retention.ts";

const verdict = fc.constantFrom("passed" as const, "failed" as const, "partial" as const, "not-run" as const);
const history = fc
  .array(fc.record({ running: fc.boolean(), verdicts: fc.dictionary(fc.constantFrom("debian-11", "debian-12", "debian-13"), verdict, { minKeys: 1 }) }), {
    maxLength: 40,
  })
  .map((runs) => runs.map((run, i): RetainedRun => ({ ...run, runId: `run-${String(1000 - i)}` })));

/** The last good and first bad run of a distribution, as the dashboard finds them. */
function anchors(runs: readonly RetainedRun[], distro: string): string[] {
  const mine = runs.filter((run) => !run.running && distro in run.verdicts);
  const good = mine.findIndex((run) => run.verdicts[distro] === "passed");
  const bad = mine.slice(0, good >= 0 ? good : mine.length).findLast((run) => run.verdicts[distro] === "failed");
  return [good >= 0 ? mine[good]?.runId : undefined, bad?.runId].filter((id): id is string => id !== undefined);
}

describe("retention of runs", () => {
  it("keeps running runs, each distribution's newest N, its last good and its first bad; removes only the rest", () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 5 }), (runs, keep) => {
        const removed = new Set(runsToRemove(runs, keep).map((run) => run.runId));
        for (const run of runs) if (run.running) expect(removed.has(run.runId)).toBe(false);
        for (const distro of ["debian-11", "debian-12", "debian-13"]) {
          const finished = runs.filter((run) => !run.running && distro in run.verdicts);
          for (const run of finished.slice(0, keep)) expect(removed.has(run.runId)).toBe(false);
          for (const id of anchors(runs, distro)) expect(removed.has(id)).toBe(false);
          // What the dashboard says about the distribution is the same after the collection.
          expect(
            anchors(
              runs.filter((run) => !removed.has(run.runId)),
              distro,
            ),
          ).toEqual(anchors(runs, distro));
        }
        // Nothing is removed that some rule keeps: with keep as large as the history, nothing goes.
        expect(runsToRemove(runs, runs.length + 1)).toEqual([]);
      }),
    );
  });

  it("removes the old passing runs between the last good one and the kept window", () => {
    const run = (i: number, v: "passed" | "failed"): RetainedRun => ({ runId: `r${10 - i}`, running: false, verdicts: { "debian-12": v } });
    // Newest first: two failures, then passes; keep 2 -> the newest two, the last good (r7) and the first bad (r8).
    const runs = [run(1, "failed"), run(2, "failed"), run(3, "passed"), run(4, "passed"), run(5, "passed")];
    expect(runsToRemove(runs, 1).map((r) => r.runId)).toEqual(["r6", "r5"]);
  });
});
