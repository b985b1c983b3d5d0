import { assignDistributions, type SimulatedWorker } from "@msf/queue";
import { describe, expect, it } from "vitest";

const MIN = 60_000;
// The original matrix's expected times (minutes, as bench/queue-schedule.ts derives them).
const chains = new Map<string, number>(
  Object.entries({
    "debian-11": 26.1,
    "debian-12": 26.1,
    "ubuntu-20.04": 21.1,
    "ubuntu-22.04": 21.1,
    "ubuntu-24.04": 21.1,
    "fedora-38": 38.6,
    "fedora-39": 38.6,
    "fedora-40": 38.6,
    "fedora-41": 38.6,
    "rhel-9": 43.6,
    "almalinux-9": 38.6,
    "rocky-9": 38.6,
    "opensuse-15.6": 46.1,
  }).map(([d, m]) => [d, m * MIN]),
);

function makespan(assignment: Map<string, string>, workers: SimulatedWorker[]): number {
  return Math.max(
    ...workers.map((w) => {
      const slots = Array.from({ length: w.slots }, () => 0);
      for (const ms of [...assignment].flatMap(([d, id]) => (id === w.id ? [chains.get(d) as number] : [])).sort((a, b) => b - a)) {
        const i = slots.indexOf(Math.min(...slots));
        slots[i] = (slots[i] as number) + ms / w.speed;
      }
      return Math.max(0, ...slots);
    }),
  );
}

describe("assignDistributions", () => {
  it("keeps long distributions off the emulating hosts: the optimum (77.2 min) where first come, first served takes 116.9", () => {
    const workers = [
      { id: "kvm-8c", speed: 1, slots: 4 },
      { id: "kvm-4c", speed: 1, slots: 2 },
      { id: "tcg-a", speed: 1 / 3, slots: 1 },
      { id: "tcg-b", speed: 1 / 3, slots: 1 },
    ];
    const assignment = assignDistributions(chains, workers);
    expect(assignment.size).toBe(13);
    expect(makespan(assignment, workers) / MIN).toBeCloseTo(77.2, 1);
    // An emulating host gets at most one of the shortest (21.1 min: 63 min there).
    for (const id of ["tcg-a", "tcg-b"]) expect([...assignment].filter(([, w]) => w === id).length).toBeLessThanOrEqual(1);
    expect([...assignment].filter(([, w]) => w.startsWith("tcg")).every(([d]) => d.startsWith("ubuntu-"))).toBe(true);
  });

  it("gives a distribution only to a worker it fits (memory, accelerator)", () => {
    const workers = [
      { id: "big", speed: 1 / 3, slots: 1 },
      { id: "small", speed: 1, slots: 4 },
    ];
    const fits = (distro: string, worker: string) => worker === "big" || !distro.startsWith("fedora");
    const assignment = assignDistributions(chains, workers, fits);
    expect([...assignment].filter(([d]) => d.startsWith("fedora")).map(([, w]) => w)).toEqual(["big", "big", "big", "big"]);
    expect(assignDistributions(chains, [{ id: "small", speed: 1, slots: 4 }], fits).has("fedora-41")).toBe(false);
  });

  it("uses every worker's slots and gives nothing to no worker", () => {
    expect(assignDistributions(chains, []).size).toBe(0);
    const one = assignDistributions(new Map([["debian-12", MIN]]), [{ id: "a", speed: 1, slots: 1 }]);
    expect([...one]).toEqual([["debian-12", "a"]]);
  });
});
