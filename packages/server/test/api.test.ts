import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { publishImage } from "@msf/qemu";
import { ReportSchema } from "@msf/report";
import { Journal } from "@msf/run";
import { buildServer, msfRunLauncher, runArgs, schemas } from "@msf/server";
import { acquireLock, createContext } from "@msf/supervisor";
import { MSF_BIN, makeTempDir } from "@msf/test-utils";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { UPGRADE_RUN } from "../../report/test/fixture.ts";
import { SECRET, standInRun } from "./stand-in-runs.ts";

// The API on a real loopback port over run directories the real executor, journal and report wrote
// (stand-in steps instead of VMs): a passing run, then one where a check fails.
const temp = makeTempDir();
const ctx = createContext({ env: { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" } });
let app: FastifyInstance;
let base: string;
const runIds: string[] = [];

async function run(failing: string[]) {
  const result = await standInRun(ctx, { failing });
  runIds.push(result.runId);
  return result;
}

beforeAll(async () => {
  await run([]);
  await run(["imap-login"]);
  app = await buildServer({ ctx, loopback: true });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
}, 60_000);
afterAll(async () => {
  await app?.close();
  temp.remove();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
/** A page of runs, validated against the schema the OpenAPI document is generated from. */
const runPage = async (query: string) => schemas.RunPageSchema.parse(await (await get(`/api/v1/runs${query}`)).json());
const ids = (page: { runs: Array<{ runId: string }> }) => page.runs.map((r) => r.runId);

describe("/api/v1 over real run directories", () => {
  it("lists runs newest first, a page at a time, filtered by status and distribution", async () => {
    const all = await runPage("");
    expect(ids(all)).toEqual([...runIds].reverse());
    expect(all.runs[0]).toMatchObject({ status: "failed", matrix: ["debian-12"] });
    const first = await runPage("?limit=1");
    expect(first.runs).toHaveLength(1);
    const second = await runPage(`?limit=1&before=${first.next}`);
    expect(ids(second)).toEqual([runIds[0]]);
    expect(second.next).toBeUndefined();
    expect(ids(await runPage("?status=passed"))).toEqual([runIds[0]]);
    expect(ids(await runPage("?since=2099-01-01"))).toEqual([]);
    expect((await runPage("?distro=debian-11")).runs).toEqual([]);
    const bad = await get("/api/v1/runs?limit=0");
    expect(bad.status).toBe(400);
    expect(schemas.ErrorSchema.parse(await bad.json()).code).toBe("ERR_MSF_USAGE");
  });

  it("answers one run, its report (the report model) and 404 with a code for an unknown run", async () => {
    const detail = schemas.RunDetailSchema.parse(await (await get("/api/v1/runs/latest")).json());
    expect(detail.runId).toBe(runIds[1]);
    expect(detail.tasks["debian-12:test"]).toMatchObject({ state: "failed" });
    const report = ReportSchema.parse(await (await get(`/api/v1/runs/${runIds[0]}/report`)).json());
    expect(report.distributions[0]?.checks.map((c) => c.status)).toEqual(["pass", "pass"]);
    const checks = z.object({ checks: z.array(schemas.CheckRowSchema) }).parse(await (await get(`/api/v1/runs/${runIds[1]}/checks?distro=debian-12`)).json());
    expect(checks.checks.map((c) => `${c.distro} ${c.id} ${c.status} ${c.evidence}`)).toEqual([
      "debian-12 smtp-starttls pass C: smtp-starttls",
      "debian-12 imap-login fail C: imap-login",
    ]);
    const missing = await get("/api/v1/runs/20990101T000000-none");
    expect(missing.status).toBe(404);
    expect(schemas.ErrorSchema.parse(await missing.json())).toMatchObject({ code: "ERR_MSF_NOT_FOUND" });
  });

  it("answers every catalog distribution: its history (newest verdict, last good, first bad, pass rate, median times) and its images", async () => {
    // An image of Debian 12 in the cache, as a build publishes it.
    const work = join(temp.path, "work");
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, "disk.qcow2"), "disk");
    await publishImage({
      imagesDir: ctx.paths.images,
      distro: "debian-12",
      key: "0123456789abcdef",
      files: { disk: join(work, "disk.qcow2") },
      manifest: {
        buildMs: 1,
        recipe: { kind: "bootstrap" },
        append: "",
        sshUser: "root",
        packages: [{ name: "postfix", version: "3.7.11-0+deb12u1", architecture: "amd64" }],
      },
    });
    const { distributions } = z.object({ distributions: z.array(schemas.DistributionRowSchema) }).parse(await (await get("/api/v1/distros")).json());
    expect(distributions.map((d) => d.id)).toEqual(expect.arrayContaining(["debian-11", "debian-12", "fedora-41"]));
    const debian12 = distributions.find((d) => d.id === "debian-12");
    expect(debian12).toMatchObject({ family: "debian", lifecycle: "supported" });
    expect(debian12?.history).toMatchObject({
      latest: { runId: runIds[1], verdict: "failed" },
      lastGood: runIds[0],
      firstBad: runIds[1],
      passRate: { passed: 1, runs: 2 },
    });
    expect(Object.keys(debian12?.history?.medianMs ?? {})).toEqual(expect.arrayContaining(["install", "test"]));
    expect(debian12?.images).toEqual([
      expect.objectContaining({
        key: "0123456789abcdef",
        pinned: false,
        stack: expect.arrayContaining([{ component: "postfix", package: "postfix", version: "3.7.11-0+deb12u1" }]),
      }),
    ]);
    expect(await (await get("/distros/debian-12")).text()).toMatch(/<table id="images">.*<code>0123456789abcdef<\/code>.*postfix 3\.7\.11-0\+deb12u1/s);
    // A distribution no run included: its catalog row, no history.
    expect(distributions.find((d) => d.id === "fedora-41")).toMatchObject({ family: "fedora", images: [] });
    expect(distributions.find((d) => d.id === "fedora-41")?.history).toBeUndefined();
  });

  it("streams artifacts with their content type; nothing outside the run, and no key, is ever served", async () => {
    const md = await get(`/api/v1/runs/${runIds[0]}/artifacts/report/report.md`);
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await md.text()).toContain("debian-12");
    const xml = await get(`/api/v1/runs/${runIds[0]}/artifacts/report/junit.xml`);
    expect(xml.headers.get("content-type")).toMatch(/^application\/xml/);

    const runDir = join(temp.path, "runs", runIds[0] as string);
    symlinkSync("/etc/hostname", join(runDir, "escape.txt"));
    for (const path of ["vms/debian-12/ssh_host_ed25519_key", "..%2F..%2Fetc%2Fpasswd", "escape.txt", "%2Fetc%2Fpasswd.txt"]) {
      const response = await get(`/api/v1/runs/${runIds[0]}/artifacts/${path}`);
      expect([400, 404], path).toContain(response.status);
      expect(await response.text(), path).not.toContain(SECRET);
    }
  });

  it("publishes an OpenAPI document generated from the schemas, with every API route", async () => {
    const doc = (await (await get("/api/v1/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, { get: { parameters: Array<{ name: string }> } }>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/alerts",
      "/api/v1/distros",
      "/api/v1/events",
      "/api/v1/runs",
      "/api/v1/runs/{runId}",
      "/api/v1/runs/{runId}/artifacts/{*}",
      "/api/v1/runs/{runId}/cancel",
      "/api/v1/runs/{runId}/checks",
      "/api/v1/runs/{runId}/log",
      "/api/v1/runs/{runId}/report",
      "/api/v1/runs/{runId}/rerun",
      "/api/v1/workers",
    ]);
    expect(doc.paths["/api/v1/runs"]?.get.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["status", "distro", "limit", "before", "since"]));
    // Self-contained: every $ref names one of its components.
    const text = JSON.stringify(doc);
    const components = Object.keys((doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas);
    expect([...text.matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => m[1]).filter((name) => !components.includes(name as string))).toEqual([]);
    // Published in docs/ (regenerate with `vitest -u`).
    await expect(`${JSON.stringify(doc, null, 2)}\n`).toMatchFileSnapshot("../../../docs/api/openapi.json");
  });

  it("renders the matrix: a product failure marked new, a CSP on every page, a badge per distribution", async () => {
    const home = await get("/");
    expect(home.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await home.text();
    expect(html).toMatch(/<span class="cell product">failed \(product\)<\/span><span class="new" title="imap-login">new<\/span>/);
    expect(html).toContain(`href="/runs/${runIds[1]}"`);
    expect((await get("/runs/latest")).url).toMatch(new RegExp(`/runs/${runIds[1]}$`));
    const distro = await (await get("/distros/debian-12")).text();
    expect(distro).toContain(`last good <a href="/runs/${runIds[0]}">`);
    expect(distro).toContain(`first bad <a href="/runs/${runIds[1]}">`);
    expect(distro).toContain("newly failing: <code>imap-login</code>");
    expect((await get("/distros/debian-11")).status).toBe(404);
    // Each check's trend: imap-login passed, then failed; smtp-starttls passed both times.
    expect(distro).toMatch(
      /<code>imap-login<\/code><\/td><td><span class="cell product">regression<\/span><\/td><td><span class="recent" title="newest first">✗ ✓<\/span>/,
    );
    expect(distro).toMatch(/<code>smtp-starttls<\/code><\/td><td><span class="cell passed">passing<\/span>/);
    // The trend: a bar per run, oldest left, coloured by verdict.
    expect([...distro.matchAll(/<rect class="(\w+)"/g)].map((m) => m[1])).toEqual(["passed", "product"]);
    const badge = await get("/badges/debian-12.svg");
    expect(badge.headers.get("content-type")).toBe("image/svg+xml");
    expect(await badge.text()).toContain("failed (product)");
  });
});

describe("a run's page and a check's", () => {
  it("lists each distribution's checks, linked to a page with the transcript, and offers a rerun once the run is over", async () => {
    const run = await (await get(`/runs/${runIds[1]}`)).text();
    const href = `/runs/${runIds[1]}/checks/debian-12/imap-login`;
    expect(run).toContain(`<a href="${href}">imap-login</a>`);
    expect(run).toContain(`<button type="button" class="rerun" data-distro="debian-12">`);
    const check = await get(href);
    expect(check.status).toBe(200);
    const html = await check.text();
    expect(html).toMatch(/<span class="cell product">fail<\/span>/);
    expect(html).toMatch(/<pre class="log" id="transcript">C: imap-login/);
    expect(html).not.toContain(SECRET);
    expect((await get(`/runs/${runIds[1]}/checks/debian-12/no-such-check`)).status).toBe(404);
  });

  it("shows an upgrade run's rows: verdict, stage times, checks after, integrity, and what broke", async () => {
    // The report of an upgrade run (the report package's fixture) in a copy of a real run's directory.
    const runId = "20000101T000000-0000";
    const dir = join(temp.path, "runs", runId);
    cpSync(join(temp.path, "runs", runIds[0] as string), dir, { recursive: true });
    writeFileSync(join(dir, "journal.ndjson"), readFileSync(join(dir, "journal.ndjson"), "utf8").replaceAll(runIds[0] as string, runId));
    writeFileSync(join(dir, "report", "report.json"), JSON.stringify({ ...UPGRADE_RUN, runId }));
    const html = await (await get(`/runs/${runId}`)).text();
    expect(html).toContain('<section id="upgrades">');
    expect(html).toMatch(/<td>debian-11 -&gt; debian-12<\/td><td>survived<\/td><td>290\.0 s<\/td>/);
    expect(html).toMatch(/<li>debian-12 -&gt; debian-13: check failing after the upgrade: /);
    rmSync(dir, { recursive: true });
  });

  it("answers the tail of a run's log from a bounded read of its end, a line per record", async () => {
    const log = join(temp.path, "runs", runIds[0] as string, "msf.log");
    const record = (i: number) => JSON.stringify({ time: "2026-11-30T12:00:00.000Z", level: "info", component: "run", msg: `line ${i} ${"x".repeat(200)}` });
    writeFileSync(log, `${Array.from({ length: 5000 }, (_, i) => record(i)).join("\n")}\nnot json\n`);
    const { lines } = (await (await get(`/api/v1/runs/${runIds[0]}/log?lines=3`)).json()) as { lines: string[] };
    expect(lines).toEqual([`12:00:00 info run line 4998 ${"x".repeat(200)}`, `12:00:00 info run line 4999 ${"x".repeat(200)}`, "not json"]);
    expect((await get(`/api/v1/runs/${runIds[0]}/log?lines=100000`)).status).toBe(400);
  });
});

describe("live events", () => {
  it("sends each journal line of a new run as it is written; a reconnect with Last-Event-ID misses nothing", async () => {
    const received: Array<{ id: string; type: string; runId: string }> = [];
    const stream = await readEvents(
      `${base}/api/v1/events`,
      {},
      received,
      (events) => events.some((e) => e.type === "run-finished"),
      async () => {
        await run([]);
      },
    );
    expect(stream.every((e) => e.runId === runIds[2])).toBe(true);
    expect(stream[0]?.type).toBe("run-started");
    expect(stream.map((e) => e.id)).toEqual(stream.map((_, i) => `${runIds[2]}:${i + 1}`));

    const cut = stream[2] as { id: string };
    const resumed: typeof received = [];
    await readEvents(`${base}/api/v1/events`, { "last-event-id": cut.id }, resumed, (events) => events.length >= stream.length - 3);
    expect(resumed.map((e) => e.id)).toEqual(stream.slice(3).map((e) => e.id));
  }, 60_000);
});

describe("actions", () => {
  it("a start while a run holds the state directory answers 409 with that run's id (the real msf run meets the real lock)", async () => {
    const runId = "20991231T235959-busy";
    const journal = await Journal.open(join(temp.path, "runs", runId, "journal.ndjson"));
    await journal.append({ type: "run-started", at: Date.now(), runId, matrix: ["debian-12"], tasks: ["debian-12:install"], resumed: false });
    await journal.close();
    const lock = await acquireLock(join(temp.path, "runs", ".run.lock"));
    const server = await buildServer({ ctx, loopback: true, launcher: msfRunLauncher(ctx, [process.execPath, MSF_BIN]) });
    try {
      const post = (body: string, type = "application/json") => server.inject({ method: "POST", url: "/api/v1/runs", headers: { "content-type": type }, body });
      const busy = await post(JSON.stringify({ distros: ["debian-12"] }));
      expect(busy.statusCode, busy.body).toBe(409);
      expect(busy.json()).toMatchObject({ code: "ERR_MSF_LOCKED", runId });
      const rerun = await server.inject({
        method: "POST",
        url: `/api/v1/runs/${runIds[0]}/rerun`,
        headers: { "content-type": "application/json" },
        body: '{"distro":"debian-12"}',
      });
      expect(rerun.statusCode, rerun.body).toBe(409);
      const foreign = await server.inject({
        method: "POST",
        url: `/api/v1/runs/${runIds[0]}/rerun`,
        headers: { "content-type": "application/json" },
        body: '{"distro":"debian-11"}',
      });
      expect(foreign.statusCode).toBe(400);
      // Only JSON changes anything: a cross-site form cannot start or cancel a run.
      expect((await post("distros=debian-12", "application/x-www-form-urlencoded")).statusCode).toBe(415);
      expect((await post('{"distros":["debian-12; rm -rf /"]}')).statusCode).toBe(400);
      expect(
        (await server.inject({ method: "POST", url: `/api/v1/runs/${runId}/cancel`, headers: { "content-type": "text/plain" }, body: "{}" })).statusCode,
      ).toBe(415);
      const cancel = await server.inject({ method: "POST", url: `/api/v1/runs/${runId}/cancel`, headers: { "content-type": "application/json" }, body: "{}" });
      expect(cancel.statusCode).toBe(409); // not started by this server
    } finally {
      await lock.release();
      await server.close();
      rmSync(join(temp.path, "runs", runId), { recursive: true });
    }
  }, 60_000);

  it("builds msf run's argv from a request, each value one argument", () => {
    expect(runArgs({ distros: ["debian-12", "debian-13"], phase: "boot", image: "last-good" })).toEqual([
      "run",
      "--json",
      "--distro",
      "debian-12,debian-13",
      "--phase",
      "boot",
      "--image",
      "last-good",
    ]);
    expect(runArgs({})).toEqual(["run", "--json"]);
  });
});

describe("the token", () => {
  it("a server off loopback refuses to start without one; with one, a call without it gets 401", async () => {
    await expect(buildServer({ ctx, loopback: false })).rejects.toThrow(/needs a token/);
    const guarded = await buildServer({ ctx, loopback: false, token: "0123456789abcdef0123" });
    try {
      expect((await guarded.inject({ url: "/api/v1/runs" })).statusCode).toBe(401);
      expect((await guarded.inject({ url: "/api/v1/runs", headers: { authorization: "Bearer wrong-token-wrong-token" } })).statusCode).toBe(401);
      expect((await guarded.inject({ url: "/api/v1/runs", headers: { authorization: "Bearer 0123456789abcdef0123" } })).statusCode).toBe(200);
      // A browser is sent to sign in; the right token becomes an HttpOnly same-site cookie that opens pages and actions.
      const page = await guarded.inject({ url: `/runs/${runIds[0]}` });
      expect(page.statusCode).toBe(401);
      expect(page.body).toContain(`<form id="login" data-next="/runs/${runIds[0]}">`);
      expect((await guarded.inject({ url: "/assets/app.js" })).statusCode).toBe(200);
      const login = (token: string) => guarded.inject({ method: "POST", url: "/login", payload: { token } });
      expect((await login("wrong-token-wrong-token")).statusCode).toBe(401);
      const signedIn = await login("0123456789abcdef0123");
      expect(signedIn.statusCode).toBe(204);
      const cookie = String(signedIn.headers["set-cookie"]);
      expect(cookie).toMatch(/^msf_token=0123456789abcdef0123; HttpOnly; SameSite=Strict; Path=\/$/);
      expect((await guarded.inject({ url: `/runs/${runIds[0]}`, headers: { cookie: cookie.split(";")[0] as string } })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

/** Reads Server-Sent Events until `enough` says so (starting `during` once connected). */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  into: Array<{ id: string; type: string; runId: string }>,
  enough: (events: typeof into) => boolean,
  during?: () => Promise<void>,
) {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const work = during?.();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (!enough(into)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id && data) into.push({ id, ...(JSON.parse(data) as { type: string; runId: string }) });
    }
  }
  abort.abort();
  await work;
  return into;
}
