import { MsfError } from "@msf/core";
import got from "got";

/** Small resources (index pages, checksum files, InRelease) are read whole: never more than this. */
export const TEXT_MAX_BYTES = 16 * 1024 * 1024;
/** A detached OpenPGP signature is a few hundred bytes; a few keys' worth at most. */
export const SIGNATURE_MAX_BYTES = 64 * 1024;

export interface FetchOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The body may not be larger (default TEXT_MAX_BYTES): a hostile server cannot fill memory. */
  maxBytes?: number;
}

/** A small resource (an index page, a checksum file, a signature), with a deadline, a size cap and two retries. */
export async function fetchBuffer(url: string, options: FetchOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? TEXT_MAX_BYTES;
  const cap = new AbortController();
  const request = got(url, {
    timeout: { request: options.timeoutMs ?? 60_000 },
    retry: { limit: 2, statusCodes: [408, 429, 500, 502, 503, 504] },
    maxRedirects: 10,
    signal: options.signal ? AbortSignal.any([options.signal, cap.signal]) : cap.signal,
    headers: { "user-agent": "msf" },
  });
  let tooLarge = false;
  request.on("downloadProgress", (progress: { transferred: number; total?: number }) => {
    if (progress.transferred > maxBytes || (progress.total ?? 0) > maxBytes) {
      tooLarge = true;
      cap.abort();
    }
  });
  try {
    return Buffer.from(await request.buffer());
  } catch (error) {
    if (tooLarge) {
      throw new MsfError("ERR_MSF_DOWNLOAD", `cannot fetch ${url}: it is larger than ${maxBytes} bytes, more than such a file can be`, {
        hint: "the server is not serving what msf asked for; use another mirror (--mirror)",
        details: { url, maxBytes },
      });
    }
    const status = (error as { response?: { statusCode?: number } }).response?.statusCode;
    throw new MsfError("ERR_MSF_DOWNLOAD", `cannot fetch ${url}: ${status ? `HTTP ${status}` : (error as Error).message}`, {
      cause: error,
      details: { url, status },
    });
  }
}

export async function fetchText(url: string, options: FetchOptions = {}): Promise<string> {
  return (await fetchBuffer(url, options)).toString("utf8");
}

/** Pure: the file names an HTML directory index links to. */
export function linkedNames(html: string): string[] {
  return [...html.matchAll(/href="([^"?#/]+)"/g)].flatMap((m) => {
    try {
      const name = decodeURIComponent(m[1] as string);
      return name.includes("/") ? [] : [name];
    } catch {
      return []; // a malformed escape is no file name
    }
  });
}

/** Pure: the newest of the names matching a pattern (version-aware sort), if any. */
export function newestMatch(names: string[], pattern: string): string | undefined {
  const regex = new RegExp(`^${pattern}$`);
  return names
    .filter((name) => regex.test(name))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .at(-1);
}

export function joinUrl(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, "")}/${name}`;
}
