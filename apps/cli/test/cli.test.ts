import { join } from "node:path";
import { isProcessAlive } from "@msf/core";
import { ProcessRegistry, start } from "@msf/supervisor";
import { makeTempDir, runMsf, startNodeScript, waitForExit } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

function home() {
  temp = makeTempDir();
  return { dir: temp.path, env: { ...process.env, MSF_HOME: temp.path } };
}

describe("msf (the real command)", () => {
  it("--help lists the commands and exits 0", async () => {
    const help = await runMsf(["--help"], process.env);
    expect(help.code).toBe(0);
    for (const command of ["doctor", "vm", "ps", "kill"]) expect(help.stdout).toContain(command);
  });

  it("an unknown distribution is exit 4 with the known ones listed", async () => {
    const { env } = home();
    const run = await runMsfInProcess(["vm", "up", "plan9-4", "--json"], env);
    expect(run.code).toBe(4);
    expect(run.last).toMatchObject({ type: "error", code: "ERR_MSF_NOT_FOUND" });
    expect(String(run.last?.hint)).toContain("debian-12");
  });

  it("a dashed positional argument reaches its command (<run-id> of report and status, and --compare's second run)", async () => {
    const { env } = home();
    for (const args of [
      ["report", "20990101T000000-zzzz"],
      ["status", "20990101T000000-zzzz"],
      ["report", "--compare", "20990101T000000-yyyy", "20990101T000000-zzzz"],
    ]) {
      const run = await runMsfInProcess([...args, "--json"], env);
      expect(run.last, args.join(" ")).toMatchObject({
        type: "error",
        code: "ERR_MSF_NOT_FOUND",
        message: expect.stringMatching(/no run 20990101T000000-(yyyy|zzzz)/),
      });
    }
  });

  it("a usage error is exit 2", async () => {
    const run = await runMsf(["vm", "up"], process.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument");
  });

  it("ps reports a process whose msf owner was SIGKILLed as orphaned, and kill ends its group", async () => {
    const { dir, env } = home();
    const fixture = join(import.meta.dirname, "../../../packages/supervisor/test/fixtures/owner.ts");
    const owner = await startNodeScript(fixture, [join(dir, "pids"), "stray-sleep"], "ready");
    owner.kill("SIGKILL");
    await waitForExit(owner);
    const ps = await runMsfInProcess(["ps", "--json"], env);
    const stray = ((ps.last?.processes ?? []) as Array<{ name: string; pid: number; state: string }>).find((p) => p.name === "stray-sleep");
    if (!stray) throw new Error("msf ps does not list stray-sleep");
    expect(stray).toMatchObject({ state: "orphaned" });
    const human = await runMsfInProcess(["ps"], env);
    expect(human.stdout).toMatch(/orphaned: their msf process died; end them with msf kill stray-sleep/);
    const kill = await runMsfInProcess(["kill", "stray-sleep", "--json"], env);
    expect(kill.code).toBe(0);
    expect(kill.last?.killed).toEqual([{ name: "stray-sleep", pid: stray.pid, wasRunning: true, forced: false }]);
    expect(isProcessAlive(stray.pid)).toBe(false);
    expect((await runMsfInProcess(["ps", "--json"], env)).last?.processes).toEqual([]);
  });

  it("kill escalates to SIGKILL for a process that ignores SIGTERM", async () => {
    const { dir, env } = home();
    const stubborn = await start({
      name: "stubborn",
      command: "sh",
      args: ["-c", "trap '' TERM; while :; do sleep 1; done"],
      timeoutMs: 60_000,
      detached: true,
      registry: new ProcessRegistry(join(dir, "pids")),
    });
    const kill = await runMsfInProcess(["kill", "stubborn", "--grace", "500ms", "--json"], env);
    expect(kill.last?.killed).toEqual([{ name: "stubborn", pid: stubborn.pid, wasRunning: true, forced: true }]);
    expect(isProcessAlive(stubborn.pid)).toBe(false);
  });

  it("kill of an unknown name is exit 4 and says what runs", async () => {
    const { env } = home();
    const run = await runMsfInProcess(["kill", "nothing-here"], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("no supervised process named nothing-here");
  });

  it("doctor --json checks every host tool", async () => {
    const { env } = home();
    const run = await runMsfInProcess(["doctor", "--json", "--offline"], env);
    const ids = ((run.last?.checks ?? []) as Array<{ id: string }>).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["node", "qemu-system-x86_64", "qemu-img", "mmdebstrap", "mke2fs", "xorriso", "ssh", "disk", "accelerator"]));
    expect(run.code).toBe(run.last?.ok ? 0 : 5);
  });
});
