import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { catalog } from "@msf/catalog";
import { makeTempDir, startHttpServer, type TestHttpServer } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

let temp: ReturnType<typeof makeTempDir> | undefined;
let http: TestHttpServer | undefined;
afterEach(async () => {
  await http?.close();
  temp?.remove();
});

const body = Buffer.from("not really an ISO, but bytes with a known hash\n".repeat(1000));
const sha256 = createHash("sha256").update(body).digest("hex");

function home() {
  temp = makeTempDir();
  return { ...process.env, MSF_HOME: temp.path };
}

describe("msf iso", () => {
  it("list shows every catalog distribution with its installer, size and whether it is cached", async () => {
    const env = home();
    const run = await runMsfInProcess(["iso", "list", "--json"], env);
    const rows = run.last?.distributions as Array<{ id: string; installer: string; userProvided: boolean; lifecycle: { state: string } }>;
    expect(rows.map((r) => r.id)).toEqual(catalog.map((d) => d.id));
    expect(rows.find((r) => r.id === "rhel-9")).toMatchObject({ installer: "kickstart", userProvided: true });
    const human = await runMsfInProcess(["iso", "list"], env);
    expect(human.stdout).toMatch(/rhel-9 .*user-provided ISO/);
    expect(human.stdout).toMatch(/debian-12 .*preseed \+ bootstrap/);
    expect(human.stdout).toMatch(/debian-testing .*bootstrap .*moving target/);
    expect(human.stdout).toMatch(/opensuse-15\.6 .*end of life since 2026-04-30/);
    expect(rows.find((r) => r.id === "debian-11")?.lifecycle).toEqual({ state: "ended", endOfLife: "2026-08-31", note: "end of life since 2026-08-31" });
  });

  it("fetch of a user-provided distribution explains how, instead of failing with a 404", async () => {
    const run = await runMsfInProcess(["iso", "fetch", "rhel-9", "--json"], home());
    expect(run.code).toBe(15);
    expect(run.last).toMatchObject({ code: "ERR_MSF_USER_MEDIA" });
    expect(String(run.last?.hint)).toContain("msf iso fetch rhel-9 --url file://");
  });

  it("fetches media outside the catalog by URL and checksum, verifies the cache, and notices damage", async () => {
    http = await startHttpServer({ "/custom.iso": { body, etag: '"1"' } });
    const env = home();
    const fetched = await runMsfInProcess(["iso", "fetch", "--url", `${http.url}/custom.iso`, "--checksum", `sha256:${sha256}`, "--json"], env);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.last?.media).toEqual([expect.objectContaining({ file: "custom.iso", sha256, fromCache: false })]);
    expect((await runMsfInProcess(["iso", "verify", "--json"], env)).last).toMatchObject({ ok: true });
    appendFileSync(join(temp?.path as string, "cache", "media", sha256), "!");
    const damaged = await runMsfInProcess(["iso", "verify", "--json"], env);
    expect(damaged.code).toBe(9);
    expect(damaged.last?.results).toEqual([expect.objectContaining({ ok: false, problem: `${body.length + 1} bytes, the manifest says ${body.length}` })]);
  });

  it("refuses a download whose checksum does not match, and caches nothing", async () => {
    http = await startHttpServer({ "/custom.iso": body });
    const env = home();
    const run = await runMsfInProcess(["iso", "fetch", "--url", `${http.url}/custom.iso`, "--checksum", `sha256:${"1".repeat(64)}`, "--json"], env);
    expect(run.code).toBe(9);
    expect(run.last).toMatchObject({ code: "ERR_MSF_CHECKSUM_MISMATCH" });
    const media = join(temp?.path as string, "cache", "media");
    expect(existsSync(media) ? readdirSync(media).filter((n) => /^[0-9a-f]{64}$/.test(n)) : []).toEqual([]);
  });

  it("refuses --url without a checksum source", async () => {
    const run = await runMsfInProcess(["iso", "fetch", "--url", "http://127.0.0.1:9/x.iso", "--json"], home());
    expect(run.code).toBe(2);
    expect(String(run.last?.message)).toMatch(/--url needs --checksum/);
  });
});
