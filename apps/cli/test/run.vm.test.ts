import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  debian12Key,
  launchChromium,
  qemuProcessesUnder,
  runMsf,
  SCREENSHOTS_DIR,
  type StartedMsf,
  startMsf,
  startRedis,
  startWebhookReceiver,
  vmTestHome,
} from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// `msf run` for real: the default matrix end to end (Debian 12's golden image comes from the test
// run's global setup, 11 and 13 are built here), regression alerts on the runs after it, a SIGKILL
// of the orchestrator during deploy and a resume, a phase timeout that fails one distribution while
// another passes, and the same images run by two queue workers (one SIGKILLed during deploy).
const home = vmTestHome();
afterAll(() => home.remove());

const DEFAULT_MATRIX = ["debian-11", "debian-12", "debian-13"];
const PHASES = ["install", "archive", "boot", "deploy", "test", "collect"];
const qemuLeft = () => qemuProcessesUnder(home.home);
const imagesDir = join(home.env.MSF_CACHE as string, "images");
/** The default matrix's run: the baseline of the version comparison and the source of the pins. */
let defaultRunId = "";
/** Alice's mailbox password in the default matrix's run: nothing msf serves may contain it. */
let alicePassword = "";
/** The default matrix's configuration (JSON, which is YAML): later runs that add to it restore its ready snapshots. */
const DEFAULT_CONFIG = join(home.home, "debug-log.yaml");

const journalOf = (runId: string) =>
  readFileSync(join(home.home, "runs", runId, "journal.ndjson"), "utf8")
    .split("\n")
    .filter((line) => line.trim()) // empty until the run's first event
    .map((line) => JSON.parse(line) as { type: string; task?: string; status?: string; resumed?: boolean; outputs?: Record<string, unknown> });

describe("msf run", () => {
  it("the default matrix: Debian 11, 12 and 13 in real VMs pass every check, with four report formats, a journal and a log", async () => {
    // Debug logging, and one mailbox password chosen here (per run) so the test can look for it.
    alicePassword = randomBytes(12).toString("base64url");
    const config = DEFAULT_CONFIG;
    const accounts = [
      { address: "postmaster@msf.test", role: "postmaster" },
      { address: "alice@msf.test", aliases: ["info@msf.test"], password: alicePassword },
      { address: "bob@msf.test" },
    ];
    // No later test restores Debian 11: it keeps no ready snapshot (its settle and save are saved).
    const distributions = { "debian-11": { snapshots: false } };
    writeFileSync(config, JSON.stringify({ logLevel: "debug", mail: { domain: "msf.test", hostname: "mail.msf.test", accounts }, distributions }));
    const run = await runMsf(["run", "--config", config, "--json"], home.env, 2_400_000);
    // A failure names the task and its message (the test home, and with it the run, is removed after).
    const tasks = (run.last?.tasks ?? {}) as Record<string, { state: string; message?: string }>;
    expect(Object.entries(tasks).filter(([, task]) => task.state !== "done")).toEqual([]);
    expect(run.last).toMatchObject({ type: "result", status: "passed" });
    const runId = run.last?.runId as string;
    defaultRunId = runId;
    const runDir = join(home.home, "runs", runId);
    const reportDir = run.last?.reportDir as string;
    for (const file of ["report.json", "report.md", "junit.xml", "index.html"]) expect(existsSync(join(reportDir, file)), file).toBe(true);
    const report = JSON.parse(readFileSync(join(reportDir, "report.json"), "utf8"));
    expect(report.distributions.map((d: { id: string }) => d.id)).toEqual(DEFAULT_MATRIX);
    for (const distribution of report.distributions) {
      expect(distribution.checks.length, distribution.id).toBeGreaterThanOrEqual(20);
      expect(
        distribution.checks.filter((c: { status: string }) => c.status !== "pass"),
        distribution.id,
      ).toEqual([]);
      expect(
        distribution.phases.every((p: { status: string }) => p.status === "done"),
        distribution.id,
      ).toBe(true);
    }
    expect(readFileSync(join(reportDir, "junit.xml"), "utf8").match(/<testsuite /g)).toHaveLength(3);

    // The versions tested, read back from each guest, in every format; each image was built from the
    // suite with its -updates and -security, and Debian 12's is the one the global setup built (same
    // archive state, same key: reused, not rebuilt).
    const debian12 = report.distributions.find((d: { id: string }) => d.id === "debian-12");
    expect(debian12.image).toMatchObject({ key: debian12Key() });
    expect(debian12.image.suites.map((s: { suite: string }) => s.suite)).toEqual(["bookworm", "bookworm-updates", "bookworm-security"]);
    const markdown = readFileSync(join(reportDir, "report.md"), "utf8");
    for (const distribution of report.distributions) {
      expect(distribution.versions, distribution.id).toMatchObject({ source: "guest", kernelRelease: expect.stringMatching(/amd64$/) });
      const stack = Object.fromEntries(distribution.versions.stack.map((v: { component: string; version?: string }) => [v.component, v.version]));
      for (const component of ["postfix", "dovecot", "postgresql", "rspamd", "redis", "clamav", "openssl", "systemd"])
        expect(stack[component], `${distribution.id} ${component}`).toMatch(/\d/);
      // Security and point-release updates carry "+debNNuN" or "~debNNuN": some of the stack has one.
      const release = { "debian-11": 11, "debian-12": 12, "debian-13": 13 }[distribution.id as string];
      expect(
        Object.values(stack).some((v) => new RegExp(`deb${release}u\\d`).test(String(v))),
        distribution.id,
      ).toBe(true);
      const list = JSON.parse(readFileSync(join(reportDir, distribution.versions.packagesFile), "utf8"));
      expect(list.packages.length, distribution.id).toBeGreaterThan(200);
      expect(markdown).toContain(`postfix: ${stack.postfix}`);
      // Passed: its image is now the distribution's last known good, unless it is not what the
      // archive serves (this mirror lacks files of bullseye-security: Debian 11 is built without it, and says so).
      if (distribution.image.stale)
        expect(distribution.image.stale, distribution.id).toMatch(/^built without \S+-security: the mirror lists files it does not serve/);
      else
        expect(JSON.parse(readFileSync(join(imagesDir, distribution.id, "last-good.json"), "utf8"))).toMatchObject({
          key: distribution.image.key,
          runId: run.last?.runId,
        });
    }
    expect(readFileSync(join(reportDir, "junit.xml"), "utf8")).toContain('<property name="version.postfix"');
    const finished = journalOf(runId).filter((e) => e.type === "task-finished");
    for (const distro of DEFAULT_MATRIX) {
      expect(finished.filter((e) => e.task?.startsWith(`${distro}:`)).map((e) => e.task?.split(":")[1])).toEqual(PHASES);
      expect(existsSync(join(runDir, "vms", distro, "serial.log")), distro).toBe(true);
      // collect ends the throw-away VM with QMP quit: no clean shutdown to wait for. The golden image
      // booted with no failed unit (Debian 13's boot-time virus database update would fail offline).
      expect(JSON.parse(readFileSync(join(runDir, "vms", distro, "vm.json"), "utf8")), distro).toMatchObject({
        status: "stopped",
        stoppedBy: "quit",
        readiness: { phases: { system: { detail: "running" } } },
      });
      expect(readdirSync(join(runDir, "vms", distro)).some((f) => /id_ed25519$|secrets/.test(f))).toBe(false);
    }
    expect(finished.at(-1)?.task).toBe("report");
    // A ready snapshot of each distribution that keeps one, saved after its deploy.
    const snapshotted = readdirSync(join(home.env.MSF_CACHE as string, "snapshots"));
    expect(snapshotted).toEqual(expect.arrayContaining(["debian-12", "debian-13"]));
    expect(snapshotted).not.toContain("debian-11");

    // The run's own log: every command msf started, with its argv and exit code, and no secret.
    const log = readFileSync(join(runDir, "msf.log"), "utf8");
    const records = log
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { component: string; msg: string; command?: string[]; exitCode?: number });
    expect(records.some((r) => r.component === "process" && r.msg === "started" && Array.isArray(r.command))).toBe(true);
    expect(records.some((r) => r.component === "process" && r.msg === "exited" && r.exitCode === 0)).toBe(true);
    expect(records.filter((r) => r.msg === "task finished")).toHaveLength(finished.length);
    expect(log).not.toContain(alicePassword);
    for (const file of ["report.json", "report.md", "junit.xml", "index.html"])
      expect(readFileSync(join(reportDir, file), "utf8")).not.toContain(alicePassword);
    expect(qemuLeft()).toEqual([]);
    expect(run.code).toBe(0);
  }, 2_400_000);

  it("alerts a real regression once (Rspamd stopped after the deploy: the failing checks with their transcripts), then its fix", async () => {
    // msf serve watches this home, whose last run of Debian 12 (the default matrix's) passed. A site's
    // own step after the recipe then breaks the product, and the checks must say so; then a healthy run
    // again. Both restore the default matrix's ready snapshot (the same mail settings).
    const hook = await startWebhookReceiver();
    const withAlerts = (name: string, extra: object = {}) => {
      const file = join(home.home, `${name}.yaml`);
      const base = JSON.parse(readFileSync(DEFAULT_CONFIG, "utf8"));
      writeFileSync(file, JSON.stringify({ ...base, alerts: { webhooks: [{ url: `${hook.url}/hooks/regressions` }] }, ...extra }));
      return file;
    };
    const healthy = withAlerts("alerts");
    const broken = withAlerts("rspamd-stopped", { afterDeploy: [["systemctl", "stop", "rspamd"]] });
    const serve = startMsf(["serve", "--listen", "127.0.0.1:0", "--config", healthy, "--json"], home.env);
    await serve.waitFor((line) => line.type === "listening");
    try {
      const bad = await runMsf(["run", "--distro", "debian-12", "--offline", "--config", broken, "--json"], home.env, 900_000);
      expect(bad.code, bad.stderr).toBe(12);
      await hook.waitFor(1, 120_000);
      const regression = hook.received[0]?.body as { kind: string; distro: string; failing: Array<{ id: string; transcript: string }> };
      expect(regression).toMatchObject({ schemaVersion: 1, kind: "regression", distro: "debian-12" });
      expect(regression.failing.map((c) => c.id)).toEqual(expect.arrayContaining(["readiness", "spam-gtube"]));
      expect(regression.failing.find((c) => c.id === "spam-gtube")?.transcript).toMatch(/250/);

      const good = await runMsf(["run", "--distro", "debian-12", "--offline", "--config", healthy, "--json"], home.env, 900_000);
      expect(good.code, good.stderr).toBe(0);
      await hook.waitFor(2, 120_000);
      expect(hook.received.map((r) => (r.body as { kind: string }).kind)).toEqual(["regression", "fixed"]);
      expect(hook.received.every((r) => r.path === "/hooks/regressions")).toBe(true);
      // Both restored the default matrix's ready snapshot instead of booting and deploying anew.
      for (const run of [bad, good])
        expect(journalOf(run.last?.runId as string).find((e) => e.type === "task-finished" && e.task === "debian-12:boot")).toMatchObject({
          outputs: { restoredFrom: expect.any(String) },
        });
    } finally {
      serve.child.kill("SIGINT");
      await serve.exited;
      await hook.close();
    }
    expect(qemuLeft()).toEqual([]);
  }, 1_800_000);

  it("resumes after a SIGKILL during deploy: boot is not redone, nothing is done twice, no qemu is left", async () => {
    const { child, runId, exited } = await runUntil("debian-12:deploy");
    child.kill("SIGKILL");
    await exited;
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

  it("Ctrl-C during boot ends every child and leaves a journal that says interrupted", async () => {
    const { child, runId, exited } = await runUntil("debian-12:boot");
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const events = journalOf(runId);
    expect(events.at(-1)).toMatchObject({ type: "run-finished", status: "interrupted" });
    expect(events.find((e) => e.type === "task-finished" && e.task === "debian-12:boot")).toMatchObject({ status: "interrupted" });
    expect(qemuLeft()).toEqual([]);
  }, 600_000);

  it("a phase timeout fails that distribution with its diagnostics collected and its VM ended, while the other passes", async () => {
    const config = join(home.home, "short-deploy.yaml");
    // 2 s (6 s with TCG's timeout scale): a deploy needs several times that even on a warm VM.
    writeFileSync(config, "distributions:\n  debian-13:\n    timeouts:\n      deploy: 2s\n");
    const run = await runMsf(["run", "--distro", "debian-12,debian-13", "--phase", "deploy", "--config", config, "--json"], home.env, 900_000);
    // --phase deploy leaves a passing VM up (and both, should debian-13 pass by mistake).
    for (const vm of ["run-debian-12", "run-debian-13"]) await runMsf(["vm", "down", vm, "--json"], home.env, 120_000);
    expect(run.code).toBe(12);
    expect(run.last).toMatchObject({ type: "result", status: "failed" });
    const runId = run.last?.runId as string;
    const report = JSON.parse(readFileSync(join(run.last?.reportDir as string, "report.json"), "utf8"));
    const phasesOf = (id: string) =>
      Object.fromEntries(
        report.distributions.find((d: { id: string }) => d.id === id).phases.map((p: { phase: string; status: string; message?: string }) => [p.phase, p]),
      );
    expect(phasesOf("debian-13").deploy).toMatchObject({ status: "timed-out", message: expect.stringContaining("debian-13:deploy did not finish within") });
    expect(phasesOf("debian-12").deploy).toMatchObject({ status: "done" });
    expect(existsSync(join(home.home, "runs", runId, "vms/debian-13/serial.log"))).toBe(true);
    expect(qemuLeft()).toEqual([]);
  }, 900_000);

  it("compare: Debian 12 built from its release suite alone differs from the tested image, and report --compare names each package", async () => {
    const config = join(home.home, "no-updates.yaml");
    writeFileSync(config, "distributions:\n  debian-12:\n    updates: false\n");
    const run = await runMsf(["run", "--distro", "debian-12", "--phase", "install", "--config", config, "--json"], home.env, 900_000);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(run.last?.reportDir as string, "report.json"), "utf8"));
    const [debian12] = report.distributions;
    expect(debian12.image.suites.map((s: { suite: string }) => s.suite)).toEqual(["bookworm"]);
    expect(debian12.image.key).not.toBe(debian12Key());
    expect(debian12.versions).toMatchObject({ source: "image" });

    const compare = await runMsf(["report", "--compare", defaultRunId, run.last?.runId as string, "--json"], home.env);
    expect(compare.code, compare.stderr).toBe(0);
    const changes = (compare.last?.packages as Record<string, Array<{ name: string; from?: string; to?: string }>> | undefined)?.["debian-12"] ?? [];
    expect(changes.length).toBeGreaterThan(0);
    // Each change is a real difference between the two runs' package lists.
    const listOf = (reportDir: string) =>
      new Map(
        (JSON.parse(readFileSync(join(reportDir, "packages/debian-12.json"), "utf8")).packages as Array<{ name: string; version: string }>).map((p) => [
          p.name,
          p.version,
        ]),
      );
    const [before, after] = [listOf(join(home.home, "runs", defaultRunId, "report")), listOf(run.last?.reportDir as string)];
    for (const change of changes) {
      expect(before.get(change.name), change.name).toBe(change.from);
      expect(after.get(change.name), change.name).toBe(change.to);
    }
    const human = await runMsf(["report", "--compare", defaultRunId, run.last?.runId as string], home.env);
    const first = changes[0] as { name: string; from?: string; to?: string };
    expect(human.stdout).toContain(`${first.name} ${first.from ?? "(new)"} -> ${first.to ?? "(removed)"}`);
  }, 900_000);

  it("last known good: images gc --keep 0 keeps the pinned image, and run --image last-good boots it with the vCPUs its budget gives", async () => {
    const pin = JSON.parse(readFileSync(join(imagesDir, "debian-12", "last-good.json"), "utf8")) as { key: string };
    const gc = await runMsf(["images", "gc", "debian-12", "--keep", "0", "--json"], home.env);
    expect(gc.code, gc.stderr).toBe(0);
    const removed = ((gc.last?.removed ?? []) as Array<{ key: string }>).map((r) => r.key);
    expect(removed).not.toContain(pin.key);
    expect(removed.length).toBeGreaterThan(0); // the compare test's image, pinned by no one
    expect(existsSync(join(imagesDir, "debian-12", pin.key, "manifest.json"))).toBe(true);

    // One core for the run: the scheduler counts the VM as one vCPU, and the guest has exactly one.
    const config = join(home.home, "one-cpu.yaml");
    writeFileSync(config, "resources:\n  cpus: 1\n");
    const run = await runMsf(["run", "--distro", "debian-12", "--image", "last-good", "--phase", "boot", "--config", config, "--json"], home.env, 900_000);
    const nproc = await runMsf(["vm", "ssh", "run-debian-12", "--", "nproc"], home.env, 120_000);
    await runMsf(["vm", "down", "run-debian-12", "--json"], home.env, 120_000);
    expect(run.code, run.stderr).toBe(0);
    expect(nproc.stdout.trim(), nproc.stderr).toBe("1");
    const report = JSON.parse(readFileSync(join(run.last?.reportDir as string, "report.json"), "utf8"));
    expect(report.distributions[0].image.key).toBe(pin.key);
    expect(report.distributions[0].phases.find((p: { phase: string }) => p.phase === "boot")).toMatchObject({ status: "done" });
    expect(qemuLeft()).toEqual([]);
  }, 900_000);

  it("--queue: two workers run Debian 12 and 13; the one holding Debian 12 is SIGKILLed during deploy, its QEMU ends, Debian 12 finishes on the other, every task once", async () => {
    const redis = await startRedis();
    const workerHome = (id: string) => ({ ...home.env, MSF_HOME: join(home.home, `worker-${id}`) });
    const workers = Object.fromEntries(["a", "b"].map((id) => [id, startMsf(["worker", "--queue", redis.url, "--id", id, "--json"], workerHome(id))]));
    try {
      for (const worker of Object.values(workers)) await worker.waitFor((line) => line.type === "worker-ready");
      const run = startMsf(["run", "--queue", redis.url, "--distro", "debian-12,debian-13", "--offline", "--json"], home.env);
      const onWorker = await run.waitFor((line) => line.type === "task-output" && line.task === "debian-12:deploy" && /runs on worker/.test(String(line.line)));
      const holder = /runs on worker (\w+)/.exec(String(onWorker.line))?.[1] as "a" | "b";
      const other = holder === "a" ? "b" : "a";
      await sleep(10_000); // well into the deploy
      workers[holder]?.child.kill("SIGKILL");
      // Its VM ends with it (the kernel's parent-death signal), not at its 4 h backstop.
      const deadline = Date.now() + 30_000;
      while (qemuProcessesUnder(join(home.home, `worker-${holder}`)).length && Date.now() < deadline) await sleep(500);
      expect(qemuProcessesUnder(join(home.home, `worker-${holder}`))).toEqual([]);

      expect(await run.exited).toBe(0);
      const result = run.lines.at(-1) as { status: string; runId: string; reportDir: string };
      expect(result.status).toBe("passed");
      const journal = journalOf(result.runId);
      const done = journal.filter((e) => e.type === "task-finished" && e.status === "done").map((e) => e.task);
      expect(new Set(done).size).toBe(done.length);
      expect(run.lines.some((l) => l.type === "task-output" && new RegExp(`worker ${holder} is lost`).test(String(l.line)))).toBe(true);
      // The report has a local run's shape and verdicts (the default matrix's run), and says where each step ran.
      const queued = JSON.parse(readFileSync(join(result.reportDir, "report.json"), "utf8"));
      const local = JSON.parse(readFileSync(join(home.home, "runs", defaultRunId, "report", "report.json"), "utf8"));
      for (const id of ["debian-12", "debian-13"]) {
        const [q, l] = [queued, local].map((r) => r.distributions.find((d: { id: string }) => d.id === id));
        // `changes` is there once an earlier pass exists (the default run was the first).
        const shape = (d: object) =>
          Object.keys(d)
            .filter((key) => key !== "changes")
            .sort();
        expect(shape(q), id).toEqual(shape(l));
        expect(q.checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`).sort(), id).toEqual(
          l.checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`).sort(),
        );
      }
      const debian12 = queued.distributions.find((d: { id: string }) => d.id === "debian-12");
      expect(debian12.phases.find((p: { phase: string }) => p.phase === "collect").worker).toBe(other);
    } finally {
      for (const worker of Object.values(workers)) worker.child.kill("SIGINT");
      for (const worker of Object.values(workers)) await worker.exited;
      await redis.close();
    }
    expect(qemuLeft()).toEqual([]);
  }, 1_500_000);
});

/** Starts `msf run --distro debian-12` and resolves 5 s after the given task started. */
async function runUntil(task: string): Promise<StartedMsf & { runId: string }> {
  const run = startMsf(["run", "--distro", "debian-12", "--json"], home.env);
  const planned = await run.waitFor((line) => line.type === "run-planned");
  await run.waitFor((line) => line.type === "task-started" && line.task === task);
  await sleep(5_000);
  return { ...run, runId: planned.runId as string };
}

describe("msf serve over these runs", () => {
  it("serves the default matrix's run, its report and every artifact, none with a password or a private key; the browser shows its matrix", async () => {
    const serve = await startServe();
    const browser = await launchChromium();
    try {
      const run = (await (await fetch(`${serve.url}/api/v1/runs/${defaultRunId}`)).json()) as { status: string; tasks: Record<string, unknown> };
      expect(run.status).toBe("passed");
      expect(Object.keys(run.tasks)).toContain("debian-13:test");
      const report = (await (await fetch(`${serve.url}/api/v1/runs/${defaultRunId}/report`)).json()) as { distributions: Array<{ id: string }> };
      expect(report.distributions.map((d) => d.id)).toEqual(DEFAULT_MATRIX);
      // Every text file of the run through the API, and the pages: no secret in any of them.
      const runDir = join(home.home, "runs", defaultRunId);
      const files = (readdirSync(runDir, { recursive: true }) as string[]).filter((f) => /\.(json|ndjson|md|xml|html|log|txt)$/.test(f));
      expect(files.length).toBeGreaterThan(10);
      const bodies = await Promise.all([
        ...files.map(async (f) => {
          const response = await fetch(`${serve.url}/api/v1/runs/${defaultRunId}/artifacts/${f.split("/").map(encodeURIComponent).join("/")}`);
          expect(response.status, f).toBe(200);
          return response.text();
        }),
        ...["/", "/runs", `/runs/${defaultRunId}`, "/distros/debian-13", "/badges/debian-13.svg"].map(async (path) =>
          (await fetch(`${serve.url}${path}`)).text(),
        ),
      ]);
      for (const body of bodies) {
        expect(body).not.toContain(alicePassword);
        expect(body).not.toMatch(/PRIVATE KEY/);
      }
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${serve.url}/`);
      // The newest result of each distribution (later tests here fail one on purpose, so not all green).
      const rows = await page.locator("#matrix tbody tr td:first-child a").evaluateAll((links) => links.map((link) => link.getAttribute("href")));
      expect(rows).toEqual(expect.arrayContaining(DEFAULT_MATRIX.map((d) => `/distros/${d}`)));
      expect(await page.locator("#matrix .cell").count()).toBe(rows.length);
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS_DIR, "home-real-run.png"), fullPage: true });
    } finally {
      await browser.close();
      await serve.stop();
    }
  });

  it("starts a run from the API, answers 409 to a second one, and cancels it (its journal says interrupted, no QEMU left)", async () => {
    const serve = await startServe();
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${serve.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const started = await post("/api/v1/runs", { distros: ["debian-12"] });
      expect(started.status).toBe(202);
      const { runId } = (await started.json()) as { runId: string };
      // Until its boot has started, as the journal says.
      for (let i = 0; i < 600 && !journalOf(runId).some((e) => e.type === "task-started" && e.task === "debian-12:boot"); i++) await sleep(500);
      const second = await post("/api/v1/runs", {});
      expect(second.status).toBe(409);
      expect(await second.json()).toMatchObject({ code: "ERR_MSF_LOCKED", runId });
      expect((await post(`/api/v1/runs/${runId}/cancel`, {})).status).toBe(202);
      for (let i = 0; i < 240 && journalOf(runId).at(-1)?.type !== "run-finished"; i++) await sleep(500);
      expect(journalOf(runId).at(-1)).toMatchObject({ type: "run-finished", status: "interrupted" });
      for (let i = 0; i < 60 && qemuLeft().length; i++) await sleep(500);
      expect(qemuLeft()).toEqual([]);
    } finally {
      await serve.stop();
    }
  }, 600_000);
});

/** `msf serve` on a free loopback port over this test home. */
async function startServe(): Promise<{ url: string; stop: () => Promise<void> }> {
  const serve = startMsf(["serve", "--listen", "127.0.0.1:0", "--json"], home.env);
  const { url } = (await serve.waitFor((line) => line.type === "listening")) as { url: string };
  return {
    url,
    stop: async () => {
      serve.child.kill("SIGINT");
      await serve.exited;
    },
  };
}
