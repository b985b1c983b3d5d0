import { createHash, type Hash } from "node:crypto";
import { createReadStream, writeSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { AbortedError, MsfError, readJsonIfExists, writeJsonAtomic } from "@msf/core";
import got, { HTTPError } from "got";
import type { Checksum } from "./sums.ts";

export type FetchEvent =
  | { type: "download-start"; file: string; url: string; resumeFrom: number; total?: number }
  | { type: "progress"; file: string; received: number; total?: number; bytesPerSecond: number }
  | { type: "download-retry"; file: string; url: string; attempt: number; reason: string; waitMs: number }
  | { type: "mirror-failed"; file: string; url: string; reason: string };

export interface DownloadOptions {
  /** The same file on several mirrors, in order of preference. */
  urls: string[];
  expected: Checksum;
  /** The size the signed index gives, when it gives one: more bytes (or another Content-Length) end the attempt. */
  size?: number;
  /** Where the file goes once verified (never before). */
  dest: string;
  /** `<dest>.part` and its validators live here meanwhile. */
  part: string;
  /** For events and messages. */
  file: string;
  onEvent?: (event: FetchEvent) => void;
  signal?: AbortSignal;
  /** Attempts per mirror on network errors and 5xx. */
  attempts?: number;
  /** No byte for this long fails the attempt. */
  idleTimeoutMs?: number;
  /** First retry pause; it doubles. */
  backoffMs?: number;
}

interface PartValidators {
  url: string;
  etag?: string;
  lastModified?: string;
}

/** A failure that another attempt (or mirror) will not cure. */
class Fatal extends Error {}
/** The body ran past the size it must have. */
class TooLarge extends Error {}

/**
 * Downloads while hashing (one pass), into `<dest>.part`, renamed to `dest` only when the hash
 * matches. A `.part` is resumed with a Range request guarded by If-Range (the validators seen
 * when it was started); a server that ignores ranges restarts the file cleanly. Network errors
 * and 5xx retry with backoff, then the next mirror; 404 goes to the next mirror at once. A
 * mismatch deletes the partial file and names both hashes and the source.
 */
export async function downloadVerified(options: DownloadOptions): Promise<{ url: string; sha256: string; size: number }> {
  await mkdir(dirname(options.part), { recursive: true });
  await mkdir(dirname(options.dest), { recursive: true });
  const failures: string[] = [];
  for (const url of options.urls) {
    const attempts = options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (options.signal?.aborted) throw new AbortedError(`downloading ${options.file}`);
      try {
        return await attemptDownload(url, options);
      } catch (error) {
        if (error instanceof MsfError) throw error; // checksum mismatch, disk full: not a mirror's fault
        const reason = describe(error);
        const notThere = error instanceof HTTPError && (error.response.statusCode === 404 || error.response.statusCode === 410);
        if (error instanceof Fatal || notThere || attempt === attempts) {
          failures.push(`${url}: ${reason}`);
          options.onEvent?.({ type: "mirror-failed", file: options.file, url, reason });
          break;
        }
        const waitMs = (options.backoffMs ?? 1000) * 2 ** (attempt - 1);
        options.onEvent?.({ type: "download-retry", file: options.file, url, attempt, reason, waitMs });
        await sleep(waitMs, undefined, { signal: options.signal }).catch(() => {});
      }
    }
  }
  throw new MsfError("ERR_MSF_DOWNLOAD", `could not download ${options.file} from any source:\n  ${failures.join("\n  ")}`, {
    hint: "check the network and the URLs (msf iso check-urls), or point at another mirror with --mirror",
    details: { failures },
  });
}

async function attemptDownload(url: string, options: DownloadOptions): Promise<{ url: string; sha256: string; size: number }> {
  const validatorsPath = `${options.part}.json`;
  const saved = (await readJsonIfExists(validatorsPath)) as PartValidators | undefined;
  const partSize = await stat(options.part).then(
    (s) => s.size,
    () => 0,
  );
  const resumable = saved?.url === url && partSize > 0 && (saved.etag || saved.lastModified);
  const headers: Record<string, string> = { "user-agent": "msf (https://github.com/msf)" };
  if (resumable) {
    headers.range = `bytes=${partSize}-`;
    headers["if-range"] = (saved.etag ?? saved.lastModified) as string;
  }
  const { request, response } = await openSource(url, headers, options);
  const resuming = response.statusCode === 206 && Boolean(resumable);
  if (response.statusCode !== 200 && !resuming) {
    request.destroy();
    throw new Fatal(`unexpected HTTP ${response.statusCode}`);
  }
  const etag = response.headers.etag as string | undefined;
  const lastModified = response.headers["last-modified"] as string | undefined;
  await writeJsonAtomic(validatorsPath, { url, etag, lastModified } satisfies PartValidators);
  const start = resuming ? partSize : 0;
  const length = Number(response.headers["content-length"]);
  const total = Number.isFinite(length) ? start + length : undefined;
  if (options.size !== undefined && total !== undefined && total !== options.size) {
    request.destroy();
    await discard(options.part);
    throw new Fatal(`the server announces ${total} bytes; the signed index says ${options.size}`);
  }
  options.onEvent?.({ type: "download-start", file: options.file, url, resumeFrom: start, total });

  const hashes = [createHash(options.expected.algo), ...(options.expected.algo === "sha256" ? [] : [createHash("sha256")])];
  if (resuming) await hashExisting(options.part, hashes); // bytes fetched by an earlier attempt
  let received = start;
  let lastReport = 0;
  const startedAt = Date.now();
  const file = await open(options.part, resuming ? "a" : "w");
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      for (const hash of hashes) hash.update(chunk);
      received += chunk.length;
      if (options.size !== undefined && received > options.size) throw new TooLarge(`more than the ${options.size} bytes the signed index gives`);
      writeAll(file.fd, chunk);
      const now = Date.now();
      if (now - lastReport >= 500) {
        lastReport = now;
        options.onEvent?.({
          type: "progress",
          file: options.file,
          received,
          total,
          bytesPerSecond: ((received - start) * 1000) / Math.max(1, now - startedAt),
        });
      }
    }
  } catch (error) {
    if (error instanceof TooLarge) {
      request.destroy();
      await file.close();
      await discard(options.part);
      throw new Fatal(error.message);
    }
    if ((error as NodeJS.ErrnoException).code === "ENOSPC") {
      await file.close();
      await discard(options.part);
      throw new MsfError("ERR_MSF_DISK_FULL", `no space left while writing ${options.file}; the partial download was removed`, {
        hint: `free space under ${dirname(options.part)} (msf iso gc removes old media) and fetch again`,
      });
    }
    throw error; // kept: the next attempt resumes it
  } finally {
    await file.close().catch(() => {});
  }
  if (total !== undefined && received !== total) throw new Error(`the connection ended after ${received} of ${total} bytes`);
  const actual = (hashes[0] as Hash).digest("hex");
  const sha256 = options.expected.algo === "sha256" ? actual : (hashes[1] as Hash).digest("hex");
  if (actual !== options.expected.hex) {
    await discard(options.part);
    throw new MsfError(
      "ERR_MSF_CHECKSUM_MISMATCH",
      `${options.file} from ${url} has ${options.expected.algo} ${actual}, expected ${options.expected.hex}; the download was deleted`,
      {
        hint: "the mirror serves a different or damaged file: try another mirror (--mirror), or check the checksum source",
        details: { url, expected: options.expected.hex, actual },
      },
    );
  }
  options.onEvent?.({
    type: "progress",
    file: options.file,
    received,
    total,
    bytesPerSecond: ((received - start) * 1000) / Math.max(1, Date.now() - startedAt),
  });
  await rename(options.part, options.dest);
  await rm(validatorsPath, { force: true });
  return { url, sha256, size: received };
}

/** The body and status of an http(s) URL, or of a local file (file:// — a user-provided ISO). */
async function openSource(
  url: string,
  headers: Record<string, string>,
  options: DownloadOptions,
): Promise<{ request: Readable; response: { statusCode: number; headers: Record<string, string | string[] | undefined> } }> {
  if (url.startsWith("file:")) {
    const path = fileURLToPath(url);
    const size = (await stat(path)).size;
    return { request: createReadStream(path), response: { statusCode: 200, headers: { "content-length": String(size) } } };
  }
  const request = got.stream(url, {
    headers,
    timeout: { connect: 30_000, socket: options.idleTimeoutMs ?? 60_000 },
    retry: { limit: 0 },
    maxRedirects: 10,
    signal: options.signal,
  });
  const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", reject);
  });
  return { request, response };
}

/**
 * Synchronous on purpose: receiving, hashing and writing on one thread beat handing each chunk to
 * the thread pool (bench/iso.ts: ~1.6x faster on 2 cores, where the pool thread competes for a CPU).
 */
function writeAll(fd: number, chunk: Buffer): void {
  for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
}

async function hashExisting(path: string, hashes: Hash[]): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) for (const hash of hashes) hash.update(chunk as Buffer);
}

async function discard(part: string): Promise<void> {
  await rm(part, { force: true });
  await rm(`${part}.json`, { force: true });
}

function describe(error: unknown): string {
  if (error instanceof HTTPError) return `HTTP ${error.response.statusCode}`;
  const name = (error as Error).name;
  if (name === "TimeoutError") return `timed out (${(error as Error).message})`;
  if (name === "MaxRedirectsError") return "too many redirects (a redirect loop?)";
  return (error as Error).message;
}
