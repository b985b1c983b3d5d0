import { catalog, type Distribution, defaultMatrix, findDistribution, nextMatrix, seedMatrix, upgradeHops } from "@msf/catalog";
import { upgradePlan } from "@msf/mailtest";
import { guestTimeoutScale } from "@msf/vm";
import { PHASES, type Phase, phaseTimeouts, type RunConfig } from "./config.ts";
import { medianDurations } from "./history.ts";
import type { RunStatus } from "./journal.ts";
import { cpuBudgetFromHistory } from "./overlap.ts";
import { STEPS } from "./steps/index.ts";

export interface PlannedTask {
  /** `<distro>:<phase>`, or `report` for the run-level task. */
  id: string;
  distro?: string;
  phase: Phase | "report";
  /** The distribution is built from its archive (mmdebstrap), not installed from media. */
  bootstrap: boolean;
  deps: string[];
  resources: { memoryMiB: number; cpus: number };
  /** The distribution's VM is up while this runs (boot through collect hold its memory and cores). */
  holdsVm: boolean;
  timeoutMs: number;
  /** From earlier runs when known, else a default for the phase. */
  expectedMs: number;
  /** What the task does, for --dry-run. */
  action: string;
  /** Data the plan hands the step besides the earlier steps' outputs (the install step: the archive's state as checked at plan time). */
  given?: Record<string, unknown>;
}

export interface RunPlan {
  matrix: string[];
  /** The upgrades matrix: each distribution's release to upgrade to, by its id. */
  upgrades?: Record<string, string>;
  tasks: PlannedTask[];
  budget: { memoryMiB: number; cpus: number };
  /** Why this many CPUs: configured, or what the history showed about VMs sharing the cores. */
  cpusBecause?: string;
}

export interface PlanInputs {
  config: RunConfig;
  host: { memoryMiB: number; cpus: number; accel: "kvm" | "tcg"; fleet?: boolean };
  /** The newest earlier runs: each task's median duration, and whether VMs may share the cores. */
  history?: readonly RunStatus[];
}

/** Rough first-run durations under TCG on 2 cores (measured), used until a run history exists. */
const DEFAULT_EXPECTED_MS: Record<Phase, number> = {
  media: 300_000,
  install: 200_000,
  archive: 20_000,
  boot: 35_000,
  deploy: 115_000,
  test: 40_000,
  collect: 5_000,
  upgrade: 2_400_000,
};
const INSTALLER_EXPECTED_MS = 1_200_000;

/** Pure: the run's task DAG, per distribution media -> install -> archive -> boot -> deploy -> test -> collect, then report. */
export function planRun(inputs: PlanInputs): RunPlan {
  const { config, host } = inputs;
  const distributions = matrixOf(config);
  const scale = guestTimeoutScale(config.timeoutScale, host.accel);
  const cpus = config.resources.cpus
    ? { cpus: config.resources.cpus, reason: "configured (resources.cpus)" }
    : host.fleet
      ? { cpus: host.cpus, reason: "the queue's live workers together" }
      : cpuBudgetFromHistory(inputs.history ?? [], host.cpus);
  const budget = { memoryMiB: config.resources.memoryMiB ?? host.memoryMiB, cpus: cpus.cpus };
  const expected = medianDurations(inputs.history ?? []);
  const tasks: PlannedTask[] = [];
  for (const { distribution, bootstrap, upgradeTo } of distributions) {
    const phases: Phase[] = upgradeTo
      ? ["install", "archive", "upgrade"]
      : bootstrap
        ? ["install", "archive", "boot", "deploy", "test", "collect"]
        : ["media", "install", "archive", "boot", "deploy", "test", "collect"];
    const timeouts = phaseTimeouts(config, distribution.id);
    phases.forEach((phase, index) => {
      const id = `${distribution.id}:${phase}`;
      const installsInVm = phase === "install" && !bootstrap;
      tasks.push({
        id,
        distro: distribution.id,
        phase,
        bootstrap,
        deps: index === 0 ? [] : [`${distribution.id}:${phases[index - 1]}`],
        // A VM holds a core per vCPU of the budget (twice the cores when the history shows sharing pays).
        resources: STEPS[phase].resources(distribution, budget, bootstrap),
        holdsVm: STEPS[phase].holdsVm,
        timeoutMs: (phase === "install" && !bootstrap ? distribution.resources.installTimeoutMinutes * 60_000 : timeouts[phase]) * scale,
        expectedMs: expected[id] ?? (installsInVm ? INSTALLER_EXPECTED_MS : DEFAULT_EXPECTED_MS[phase]),
        action: describe(distribution, phase, bootstrap, upgradeTo),
        given: upgradeTo && phase === "upgrade" ? { to: upgradeTo.id } : undefined,
      });
    });
  }
  tasks.push({
    id: "report",
    phase: "report",
    bootstrap: false,
    deps: distributions.map(({ distribution }) => tasks.filter((task) => task.distro === distribution.id).at(-1)?.id as string),
    resources: { memoryMiB: 256, cpus: 1 },
    holdsVm: false,
    timeoutMs: 60_000,
    expectedMs: expected.report ?? 2_000,
    action: "report.json, report.md, junit.xml, index.html",
  });
  const upgrades = Object.fromEntries(distributions.flatMap((d) => (d.upgradeTo ? [[d.distribution.id, d.upgradeTo.id]] : [])));
  return {
    matrix: distributions.map((d) => d.distribution.id),
    ...(Object.keys(upgrades).length ? { upgrades } : {}),
    tasks,
    budget,
    cpusBecause: cpus.reason,
  };
}

function matrixOf(config: RunConfig): Array<{ distribution: Distribution; bootstrap: boolean; upgradeTo?: Distribution }> {
  // Every hop msf can prove here (the others' steps are on paper only), from the `from` release's image.
  if (config.matrix === "upgrades")
    return upgradeHops(catalog)
      .filter((hop) => upgradePlan(hop).proven)
      .map((hop) => ({ distribution: hop.from, bootstrap: true, upgradeTo: hop.to }));
  if (config.matrix === "seed") return seedMatrix().map((distribution) => ({ distribution, bootstrap: false }));
  if (config.matrix === "next") return nextMatrix().map((distribution) => ({ distribution, bootstrap: true }));
  if (config.matrix === "default") return defaultMatrix().map((distribution) => ({ distribution, bootstrap: true }));
  return config.matrix.map((id) => {
    const distribution = findDistribution(id);
    if (!distribution) throw new Error(`${id} is not in the catalog`); // parseRunConfig has checked this
    return { distribution, bootstrap: Boolean(distribution.bootstrap) };
  });
}

/**
 * Pure: per distribution of the configured matrix built from the archive, the suites its image is
 * built from (the release, and -updates and -security unless the configuration leaves them out).
 */
export function archiveSources(config: RunConfig): Record<string, Array<{ suite: string; mirror: string }>> {
  const entries = matrixOf(config).flatMap(({ distribution, bootstrap }) => {
    const recipe = bootstrap ? distribution.bootstrap : undefined;
    if (!recipe) return [];
    const updates = config.distributions[distribution.id]?.updates === false ? [] : recipe.updates;
    const suites: Array<{ suite: string; mirror: string }> = [{ suite: recipe.suite, mirror: config.mirror ?? recipe.mirror }, ...updates];
    return [[distribution.id, suites] as const];
  });
  return Object.fromEntries(entries);
}

function describe(distribution: Distribution, phase: Phase, bootstrap: boolean, upgradeTo?: Distribution): string {
  switch (phase) {
    case "media":
      return `fetch and verify the ${distribution.name} ${distribution.version} ISO (msf iso fetch ${distribution.id})`;
    case "install":
      return bootstrap
        ? `mmdebstrap ${distribution.bootstrap?.suite} with the mail stack's packages (skipped when the golden image is cached)`
        : `${distribution.installer} install from the ISO (msf install ${distribution.id})`;
    case "archive":
      return "compress the disk, write the image manifest (sha256), verify";
    case "boot":
      return `qcow2 overlay on the golden image, boot to readiness (msf vm up ${distribution.id})`;
    case "deploy":
      return `Postfix, Dovecot, PostgreSQL, Rspamd, Redis, ClamAV (msf deploy ${distribution.id})`;
    case "test":
      return `every acceptance check over the wire (msf test ${distribution.id})`;
    case "collect":
      return "logs and diagnostics into the run directory, then power off";
    case "upgrade":
      return `deploy, check, fill the mailboxes; upgrade in place to ${upgradeTo?.id}, reboot, check, compare (msf upgrade ${distribution.id} --to ${upgradeTo?.id})`;
  }
}

/** Pure: the plan narrowed to some distributions and up to a phase (the report stays). */
export function narrowPlan(plan: RunPlan, distros?: string[], phase?: Phase): RunPlan {
  const last = phase ? PHASES.indexOf(phase) : PHASES.length - 1;
  const keep = plan.tasks.filter(
    (t) => t.phase === "report" || ((!distros?.length || distros.includes(t.distro ?? "")) && PHASES.indexOf(t.phase as Phase) <= last),
  );
  const ids = new Set(keep.map((t) => t.id));
  const matrix = plan.matrix.filter((d) => !distros?.length || distros.includes(d));
  // The report waits for each distribution's last remaining task.
  const lastTasks = matrix.map((distro) => keep.filter((t) => t.distro === distro).at(-1)?.id).filter((id): id is string => Boolean(id));
  return {
    ...plan,
    matrix,
    tasks: keep.map((t) => ({ ...t, deps: t.phase === "report" ? lastTasks : t.deps.filter((d) => ids.has(d)) })),
  };
}
