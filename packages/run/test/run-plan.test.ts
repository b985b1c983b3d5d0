import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  loadRunConfig,
  makespanLowerBound,
  narrowPlan,
  parseRunConfig,
  planRun,
  type RunPlan,
  type RunStatus,
  simulate,
  skipAfterFailure,
  type TaskState,
  tasksToStart,
} from "@msf/run";
import { makeTempDir } from "@msf/test-utils";
import { describe, expect, it } from "vitest";

const host = { memoryMiB: 24_576, cpus: 2, accel: "tcg" as const };

describe("run configuration (msf.config.yaml)", () => {
  it("has every default built in", () => {
    const config = parseRunConfig({});
    expect(config).toMatchObject({ matrix: "default", timeoutScale: 1, logLevel: "info", mail: { domain: "msf.test" } });
  });

  it("names each bad key and what it expects", () => {
    const attempt = () => parseRunConfig({ timeouts: { deploy: "soon" }, resources: { cpus: 0 }, colour: "blue" });
    expect(attempt).toThrow(/timeouts\.deploy: expected a duration such as 90s, 15m or 2h, got "soon"/);
    expect(attempt).toThrow(/resources\.cpus: /);
    expect(attempt).toThrow(/colour/);
    expect(() => parseRunConfig({ matrix: ["debian-12", "plan9"] })).toThrow(/matrix: no distribution plan9 in the catalog/);
    expect(() => parseRunConfig({ distributions: { plan9: { timeouts: { deploy: "1m" } } } })).toThrow(/distributions: no distribution plan9 in the catalog/);
    expect(() => parseRunConfig({ distributions: { "debian-12": { timeouts: { deploy: "later" } } } })).toThrow(
      /distributions\.debian-12\.timeouts\.deploy: expected a duration/,
    );
    // A site's own steps after the recipe: argv lists, each with its program.
    expect(parseRunConfig({ afterDeploy: [["systemctl", "reload", "postfix"]] }).afterDeploy).toEqual([["systemctl", "reload", "postfix"]]);
    expect(() => parseRunConfig({ afterDeploy: [[]] })).toThrow(/afterDeploy\.0: a command needs at least its program/);
    expect(() => parseRunConfig({ afterDeploy: ["systemctl stop rspamd"] })).toThrow(/afterDeploy\.0/);
  });

  it("reads YAML from the working directory, and says where YAML is broken", async () => {
    const temp = makeTempDir();
    try {
      expect((await loadRunConfig({ cwd: temp.path })).source).toBeUndefined();
      writeFileSync(join(temp.path, "msf.config.yaml"), "matrix: [debian-12]\ntimeouts:\n  deploy: 30m\n");
      const { config, source } = await loadRunConfig({ cwd: temp.path });
      expect(source).toBe(join(temp.path, "msf.config.yaml"));
      expect(config.matrix).toEqual(["debian-12"]);
      expect(config.timeouts.deploy).toBe(1_800_000);
      writeFileSync(join(temp.path, "msf.config.yaml"), "matrix: [debian-12\n");
      await expect(loadRunConfig({ cwd: temp.path })).rejects.toMatchObject({ code: "ERR_MSF_CONFIG", message: expect.stringContaining("is not valid YAML") });
    } finally {
      temp.remove();
    }
  });
});

describe("the run plan", () => {
  it("chains each distribution's phases and ends with the report (default matrix: Debian 11, 12, 13 from the archive)", () => {
    const plan = planRun({ config: parseRunConfig({}), host });
    expect(plan.matrix).toEqual(["debian-11", "debian-12", "debian-13"]);
    expect(plan.tasks.filter((t) => t.distro === "debian-12").map((t) => `${t.phase}<-${t.deps.join(",")}`)).toEqual([
      "install<-",
      "archive<-debian-12:install",
      "boot<-debian-12:archive",
      "deploy<-debian-12:boot",
      "test<-debian-12:deploy",
      "collect<-debian-12:test",
    ]);
    expect(plan.tasks.at(-1)).toMatchObject({ id: "report", deps: ["debian-11:collect", "debian-12:collect", "debian-13:collect"] });
  });

  it("installs the seed matrix from media, scales timeouts without KVM, and uses earlier runs' durations", () => {
    const config = parseRunConfig({ matrix: "seed", timeouts: { deploy: "20m" }, timeoutScale: 2 });
    const history: RunStatus[] = [{ status: "passed", tasks: { "fedora-41:deploy": { state: "done", durationMs: 123_000 } } }];
    const plan = planRun({ config, host, history });
    expect(plan.matrix).toHaveLength(13); // the original matrix: Ubuntu x3, Debian x2, Fedora x4, RHEL, AlmaLinux, Rocky, openSUSE
    expect(plan.tasks.find((t) => t.id === "fedora-41:media")?.deps).toEqual([]);
    expect(plan.tasks.find((t) => t.id === "fedora-41:deploy")).toMatchObject({ timeoutMs: 20 * 60_000 * 2 * 3, expectedMs: 123_000 });
    expect(planRun({ config, host: { ...host, accel: "kvm" } }).tasks.find((t) => t.id === "fedora-41:deploy")?.timeoutMs).toBe(20 * 60_000 * 2);
  });

  it("narrows to some distributions and a last phase; the report still comes after them", () => {
    const plan = narrowPlan(planRun({ config: parseRunConfig({}), host }), ["debian-12", "debian-13"], "deploy");
    expect(plan.matrix).toEqual(["debian-12", "debian-13"]);
    expect(plan.tasks.map((t) => t.id)).not.toContain("debian-12:test");
    expect(plan.tasks.find((t) => t.id === "report")?.deps).toEqual(["debian-12:deploy", "debian-13:deploy"]);
  });

  it("plans the upgrades matrix: every proven hop from its release's image, one upgrade task each, the report after them", () => {
    const plan = planRun({ config: parseRunConfig({ matrix: "upgrades" }), host });
    expect(plan.matrix).toEqual(["debian-11", "debian-12"]);
    expect(plan.upgrades).toEqual({ "debian-11": "debian-12", "debian-12": "debian-13" });
    expect(plan.tasks.filter((t) => t.distro === "debian-12").map((t) => `${t.id}<-${t.deps.join(",")}`)).toEqual([
      "debian-12:install<-",
      "debian-12:archive<-debian-12:install",
      "debian-12:upgrade<-debian-12:archive",
    ]);
    const upgrade = plan.tasks.find((t) => t.id === "debian-12:upgrade");
    expect(upgrade).toMatchObject({ given: { to: "debian-13" }, holdsVm: true, timeoutMs: 150 * 60_000 * 3 });
    expect(upgrade?.action).toContain("msf upgrade debian-12 --to debian-13");
    expect(plan.tasks.find((t) => t.id === "report")?.deps).toEqual(["debian-11:upgrade", "debian-12:upgrade"]);
    const one = narrowPlan(plan, ["debian-12"]);
    expect(one).toMatchObject({ matrix: ["debian-12"], upgrades: plan.upgrades });
    expect(one.tasks.find((t) => t.id === "report")?.deps).toEqual(["debian-12:upgrade"]);
  });

  it("gives a distribution its own phase timeouts when the config says so", () => {
    const config = parseRunConfig({ timeouts: { deploy: "20m" }, distributions: { "debian-13": { timeouts: { deploy: "15s" } } } });
    const deploy = (distro: string) => planRun({ config, host: { ...host, accel: "kvm" } }).tasks.find((t) => t.id === `${distro}:deploy`)?.timeoutMs;
    expect(deploy("debian-13")).toBe(15_000);
    expect(deploy("debian-12")).toBe(20 * 60_000);
  });
});

describe("the scheduler", () => {
  const states = (entries: Record<string, TaskState>) => new Map(Object.entries(entries));
  const small = (memoryMiB: number, cpus: number): RunPlan => planRun({ config: parseRunConfig({ resources: { memoryMiB, cpus } }), host });

  it("starts what fits the budget, longest remaining chain first", () => {
    const plan = small(24_576, 2);
    expect(tasksToStart(plan, states({})).map((t) => t.id)).toHaveLength(2); // 2 CPUs: two image builds at once
    const oneCpu = small(24_576, 1);
    expect(tasksToStart(oneCpu, states({})).map((t) => t.id)).toHaveLength(1);
  });

  it("keeps a booted VM's memory reserved until its collect ends", () => {
    const plan = small(2_048 + 512, 4); // room for one VM and one small task
    const running = states({
      "debian-11:install": "done",
      "debian-11:archive": "done",
      "debian-11:boot": "done",
      "debian-12:install": "done",
      "debian-12:archive": "done",
    });
    // debian-11's VM is up (between boot and deploy): debian-12 cannot boot beside it; debian-13's image build fits.
    expect(
      tasksToStart(plan, running)
        .map((t) => t.id)
        .sort(),
    ).toEqual(["debian-11:deploy", "debian-13:install"]);
  });

  it("gives a VM a core per vCPU from boot to collect: on two cores the VMs take turns, each going on at once", () => {
    const plan = small(24_576, 2);
    expect(plan.tasks.find((t) => t.id === "debian-12:deploy")?.resources.cpus).toBe(2);
    const images = Object.fromEntries(plan.tasks.filter((t) => ["install", "archive"].includes(t.phase)).map((t) => [t.id, "done"])) as Record<
      string,
      TaskState
    >;
    expect(tasksToStart(plan, states(images)).filter((t) => t.phase === "boot")).toHaveLength(1);
    // debian-11's VM is up between its boot and its deploy: its deploy starts, no other VM boots beside it.
    expect(tasksToStart(plan, states({ ...images, "debian-11:boot": "done" })).map((t) => t.id)).toEqual(["debian-11:deploy"]);
    const collected = { ...images, "debian-11:boot": "done", "debian-11:deploy": "done", "debian-11:test": "done", "debian-11:collect": "done" } as const;
    expect(tasksToStart(plan, states(collected)).map((t) => t.phase)).toEqual(["boot"]);
  });

  it("gives a VM at most the whole memory budget, and starts it when nothing else runs", () => {
    const plan = planRun({ config: parseRunConfig({ matrix: ["debian-11"], resources: { memoryMiB: 1_024, cpus: 1 } }), host });
    const ready = states({ "debian-11:install": "done", "debian-11:archive": "done" });
    expect(plan.tasks.find((t) => t.id === "debian-11:boot")?.resources.memoryMiB).toBe(1_024);
    expect(tasksToStart(plan, ready).map((t) => t.id)).toEqual(["debian-11:boot"]);
  });

  it("skips a failed distribution's later tasks; the report runs once every distribution has ended", () => {
    const plan = small(24_576, 2);
    const failed = plan.tasks.find((t) => t.id === "debian-12:deploy");
    if (!failed) throw new Error("no debian-12:deploy");
    expect(skipAfterFailure(plan, states({ "debian-12:boot": "done" }), failed)).toEqual([
      "debian-12:install",
      "debian-12:archive",
      "debian-12:test",
      "debian-12:collect",
    ]);
    const ended = Object.fromEntries(plan.tasks.filter((t) => t.id !== "report").map((t) => [t.id, t.distro === "debian-12" ? "skipped" : "done"])) as Record<
      string,
      TaskState
    >;
    expect(tasksToStart(plan, states(ended)).map((t) => t.id)).toEqual(["report"]);
  });

  it("simulated on the default matrix, finishes close to the lower bound", () => {
    const plan = small(24_576, 2);
    expect(simulate(plan).makespanMs).toBeGreaterThanOrEqual(makespanLowerBound(plan));
  });
});
