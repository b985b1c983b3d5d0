import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type FetchEvent, MediaStore } from "@msf/iso";
import { makeTempDir, serve, startHttpServer, type TestHttpServer } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

const body = Buffer.alloc(3 * 1024 * 1024 + 123);
for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 11)) & 0xff;
const sha256 = createHash("sha256").update(body).digest("hex");
const expected = { algo: "sha256" as const, hex: sha256 };

let temp: ReturnType<typeof makeTempDir> | undefined;
const servers: TestHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  temp?.remove();
});

async function server(files: Parameters<typeof startHttpServer>[0] = { "/disc.iso": { body, etag: '"v1"' } }) {
  const started = await startHttpServer(files);
  servers.push(started);
  return started;
}

function store() {
  temp = makeTempDir();
  return new MediaStore(join(temp.path, "media"));
}

const fast = { attempts: 3, backoffMs: 20, idleTimeoutMs: 2_000 };

describe("downloads with verify-on-the-fly", () => {
  it("fetches, verifies and caches by sha256; a second fetch is served from the cache", async () => {
    const http = await server();
    const media = store();
    const first = await media.fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", distro: "test-1", ...fast });
    expect(first).toMatchObject({ fromCache: false, path: join(media.dir, sha256), entry: { sha256, size: body.length, source: `${http.url}/disc.iso` } });
    expect(createHash("sha256").update(readFileSync(first.path)).digest("hex")).toBe(sha256);
    const again = await media.fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", ...fast });
    expect(again.fromCache).toBe(true);
    expect(http.requests.filter((r) => r.path === "/disc.iso")).toHaveLength(1);
    expect((await media.verify()).map((r) => r.ok)).toEqual([true]);
  });

  it("resumes a connection dropped mid-stream with a Range request: the bytes are not fetched twice", async () => {
    const http = await server();
    http.faults.set("/disc.iso", (_req, res, { served, attempt }) => {
      if (attempt > 1 || !served) return false;
      res.writeHead(200, { "content-length": String(served.body.length), etag: '"v1"', "accept-ranges": "bytes" });
      res.write(served.body.subarray(0, 1_000_000), () => res.destroy());
      return true;
    });
    const events: FetchEvent[] = [];
    const media = store();
    const result = await media.fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", onEvent: (e) => events.push(e), ...fast });
    expect(result.entry.sha256).toBe(sha256);
    const [, second] = http.requests;
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(second?.range ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(second?.status).toBe(206);
    expect(second?.bytes).toBe(body.length - resumedAt); // only what the first attempt did not deliver
    expect(events).toContainEqual(expect.objectContaining({ type: "download-start", resumeFrom: resumedAt }));
  });

  it("restarts cleanly from zero when the server ignores Range", async () => {
    const http = await server();
    http.faults.set("/disc.iso", (req, res, { served, attempt }) => {
      if (!served) return false;
      if (attempt === 1) {
        res.writeHead(200, { "content-length": String(served.body.length), etag: '"v1"' });
        res.write(served.body.subarray(0, 500_000), () => res.destroy());
        return true;
      }
      serve(req, res, served, { ignoreRange: true });
      return true;
    });
    const result = await store().fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", ...fast });
    expect(result.entry.sha256).toBe(sha256);
    expect(http.requests[1]?.range).toBeDefined();
    expect(http.requests[1]?.status).toBe(200);
  });

  it("retries a 500, then succeeds", async () => {
    const http = await server();
    http.faults.set("/disc.iso", (_req, res, { attempt }) => {
      if (attempt > 1) return false;
      res.writeHead(500).end();
      return true;
    });
    const events: FetchEvent[] = [];
    await store().fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", onEvent: (e) => events.push(e), ...fast });
    expect(events.filter((e) => e.type === "download-retry").map((e) => (e as { reason: string }).reason)).toEqual(["HTTP 500"]);
  });

  it("moves on from a mirror that answers 404 to the next one", async () => {
    const empty = await server({});
    const full = await server();
    const events: FetchEvent[] = [];
    const result = await store().fetch({
      urls: [`${empty.url}/disc.iso`, `${full.url}/disc.iso`],
      expected,
      file: "disc.iso",
      onEvent: (e) => events.push(e),
      ...fast,
    });
    expect(result.entry.source).toBe(`${full.url}/disc.iso`);
    expect(empty.requests).toHaveLength(1); // a 404 is not retried
    expect(events).toContainEqual(expect.objectContaining({ type: "mirror-failed", reason: "HTTP 404" }));
  });

  it("deletes a download with the wrong checksum, naming both hashes and the source", async () => {
    const http = await server();
    const media = store();
    const wrong = { algo: "sha256" as const, hex: "0".repeat(64) };
    const error = await media.fetch({ urls: [`${http.url}/disc.iso`], expected: wrong, file: "disc.iso", ...fast }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_CHECKSUM_MISMATCH" });
    expect(String((error as Error).message)).toContain(sha256);
    expect(String((error as Error).message)).toContain("0".repeat(64));
    expect(String((error as Error).message)).toContain(`${http.url}/disc.iso`);
    expect(cachedFiles(media.dir)).toEqual([]);
  });

  it("never caches a body cut short under a correct Content-Length", async () => {
    const http = await server();
    http.faults.set("/disc.iso", (_req, res, { served }) => {
      if (!served) return false;
      res.writeHead(200, { "content-length": String(served.body.length) }); // no validators: nothing to resume from
      res.end(served.body.subarray(0, 200_000));
      return true;
    });
    const media = store();
    const error = await media.fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", ...fast }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_DOWNLOAD" });
    expect(cachedFiles(media.dir)).toEqual([]);
  });

  it("gives up on a redirect loop", async () => {
    const http = await server();
    http.faults.set("/loop", (_req, res) => {
      res.writeHead(302, { location: "/loop" }).end();
      return true;
    });
    const error = await store()
      .fetch({ urls: [`${http.url}/loop`], expected, file: "loop", ...fast })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/too many redirects/);
  });

  it("times out on a server that stops sending", async () => {
    const http = await server();
    http.faults.set("/disc.iso", (_req, res, { served }) => {
      if (!served) return false;
      res.writeHead(200, { "content-length": String(served.body.length) });
      res.write(served.body.subarray(0, 1000)); // then silence
      return true;
    });
    const error = await store()
      .fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", attempts: 2, backoffMs: 10, idleTimeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_DOWNLOAD" });
    expect(String((error as Error).message)).toMatch(/timed out/i);
  });

  it("downloads a file once when two fetches ask for it at the same time", async () => {
    const http = await server();
    const media = store();
    const request = { urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", ...fast };
    const [a, b] = await Promise.all([media.fetch(request), new MediaStore(media.dir).fetch(request)]);
    expect(a.path).toBe(b.path);
    expect([a.fromCache, b.fromCache].sort()).toEqual([false, true]);
    expect(http.requests.filter((r) => r.path === "/disc.iso")).toHaveLength(1);
  });

  it.skipIf(process.getuid?.() !== 0)("leaves no cached file when the disk is full (a 1 MiB tmpfs; needs root to mount)", async () => {
    const http = await server();
    temp = makeTempDir();
    const small = join(temp.path, "small");
    mkdirSync(small);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]);
    try {
      const media = new MediaStore(small);
      const error = await media.fetch({ urls: [`${http.url}/disc.iso`], expected, file: "disc.iso", ...fast }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "ERR_MSF_DISK_FULL" });
      expect(cachedFiles(small)).toEqual([]);
      expect(existsSync(join(small, ".parts", `sha256-${sha256}.part`))).toBe(false);
    } finally {
      execFileSync("umount", [small]);
    }
  });

  it("keeps the newest files per distribution (gc) and re-hashes the rest (verify)", async () => {
    const http = await server({ "/a": "first", "/b": "second", "/c": "third" });
    const media = store();
    const hash = (text: string) => ({ algo: "sha256" as const, hex: createHash("sha256").update(text).digest("hex") });
    for (const [path, text] of [
      ["/a", "first"],
      ["/b", "second"],
      ["/c", "third"],
    ] as const) {
      await media.fetch({ urls: [`${http.url}${path}`], expected: hash(text), file: path, distro: "d", ...fast });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const removed = await media.gc(2);
    expect(removed.map((e) => e.file)).toEqual(["/a"]);
    expect((await media.entries()).map((e) => e.file).sort()).toEqual(["/b", "/c"]);
    expect((await media.verify()).every((r) => r.ok)).toBe(true);
  });
});

function cachedFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^[0-9a-f]{64}$/.test(name) || name.startsWith(".verified")) : [];
}
