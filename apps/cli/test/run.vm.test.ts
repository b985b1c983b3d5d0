import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { qemuProcessesUnder, runMsf, vmTestHome } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// `msf run` for real on Debian 12 (its golden image comes from the run's global setup): the whole
// pipeline with its journal and reports, then a SIGKILL of the orchestrator during deploy and a resume.
const home = vmTestHome();
const MSF_BIN = join(import.meta.dirname, "../bin/msf.js");
afterAll(() => home.remove());

const qemuLeft = () => qemuProcessesUnder(home.home);

const journalOf = (runId: string) =>
  readFileSync(join(home.home, "runs", runId, "journal.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; task?: string; status?: string; resumed?: boolean });

describe("msf run on Debian 12", () => {
  it("boots, deploys, tests, collects and reports, with a journal of every step", async () => {
    const run = await runMsf(["run", "--distro", "debian-12", "--json"], home.env, 1_200_000);
    expect(run.last).toMatchObject({ type: "result", status: "passed" });
    const runId = run.last?.runId as string;
    const reportDir = run.last?.reportDir as string;
    for (const file of ["report.json", "report.md", "junit.xml", "index.html"]) expect(existsSync(join(reportDir, file)), file).toBe(true);
    const report = JSON.parse(readFileSync(join(reportDir, "report.json"), "utf8"));
    expect(report.distributions.map((d: { id: string }) => d.id)).toEqual(["debian-12"]);
    expect(report.distributions[0].checks.length).toBeGreaterThanOrEqual(20);
    expect(report.distributions[0].phases.every((p: { status: string }) => p.status === "done")).toBe(true);
    const finished = journalOf(runId).filter((e) => e.type === "task-finished");
    expect(finished.map((e) => e.task)).toEqual([
      "debian-12:install",
      "debian-12:archive",
      "debian-12:boot",
      "debian-12:deploy",
      "debian-12:test",
      "debian-12:collect",
      "report",
    ]);
    expect(existsSync(join(home.home, "runs", runId, "vms/debian-12/serial.log"))).toBe(true);
    expect(readdirSync(join(home.home, "runs", runId, "vms/debian-12")).some((f) => /id_ed25519$|secrets/.test(f))).toBe(false);
    expect(qemuLeft()).toEqual([]);
    expect(run.code).toBe(0);
  }, 1_200_000);

  it("resumes after a SIGKILL during deploy: boot is not redone, nothing is done twice, no qemu is left", async () => {
    const child = spawn(process.execPath, [MSF_BIN, "run", "--distro", "debian-12", "--json"], { env: home.env, stdio: ["ignore", "pipe", "pipe"] });
    let runId = "";
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split("\n").slice(0, -1)) {
          const event = JSON.parse(line) as { type: string; runId?: string; task?: string };
          if (event.type === "run-planned") runId = event.runId as string;
          if (event.type === "task-started" && event.task === "debian-12:deploy") setTimeout(resolve, 5_000); // mid-deploy
        }
        buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
      });
      child.once("exit", () => reject(new Error("msf run ended before deploy")));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(journalOf(runId).some((e) => e.type === "run-finished")).toBe(false);

    const resumed = await runMsf(["run", "--distro", "debian-12", "--json"], home.env, 1_200_000);
    expect(resumed.lines.find((line) => line.type === "run-planned")).toMatchObject({ runId, resumed: true });
    expect(resumed.last).toMatchObject({ type: "result", status: "passed", runId });
    const events = journalOf(runId);
    const done = events.filter((e) => e.type === "task-finished" && e.status === "done").map((e) => e.task);
    expect(new Set(done).size).toBe(done.length); // no task done twice
    expect(events.filter((e) => e.type === "task-started" && e.task === "debian-12:boot")).toHaveLength(1);
    expect(events.filter((e) => e.type === "task-started" && e.task === "debian-12:deploy")).toHaveLength(2);
    expect(qemuLeft()).toEqual([]);
  }, 1_500_000);

  it("a phase timeout fails that distribution with its diagnostics collected, and ends its VM", async () => {
    const config = join(home.home, "short-deploy.yaml");
    writeFileSync(config, "timeouts:\n  deploy: 15s\n");
    const run = await runMsf(["run", "--distro", "debian-12", "--config", config, "--json"], home.env, 900_000);
    expect(run.code).toBe(12);
    expect(run.last).toMatchObject({ type: "result", status: "failed" });
    const runId = run.last?.runId as string;
    const report = JSON.parse(readFileSync(join(run.last?.reportDir as string, "report.json"), "utf8"));
    const phases = Object.fromEntries(report.distributions[0].phases.map((p: { phase: string; status: string; message?: string }) => [p.phase, p]));
    expect(phases.deploy).toMatchObject({ status: "timed-out", message: expect.stringContaining("debian-12:deploy did not finish within") });
    expect(phases.test.status).toBe("skipped");
    expect(existsSync(join(home.home, "runs", runId, "vms/debian-12/serial.log"))).toBe(true);
    expect(qemuLeft()).toEqual([]);
  }, 900_000);
});
