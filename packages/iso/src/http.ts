import { MsfError } from "@msf/core";
import got from "got";

/** A small resource (an index page, a checksum file, a signature), with a deadline and two retries. */
export async function fetchBuffer(url: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Buffer> {
  try {
    const body = await got(url, {
      timeout: { request: options.timeoutMs ?? 60_000 },
      retry: { limit: 2, statusCodes: [408, 429, 500, 502, 503, 504] },
      maxRedirects: 10,
      signal: options.signal,
      headers: { "user-agent": "msf" },
    }).buffer();
    return Buffer.from(body);
  } catch (error) {
    const status = (error as { response?: { statusCode?: number } }).response?.statusCode;
    throw new MsfError("ERR_MSF_DOWNLOAD", `cannot fetch ${url}: ${status ? `HTTP ${status}` : (error as Error).message}`, {
      cause: error,
      details: { url, status },
    });
  }
}

export async function fetchText(url: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  return (await fetchBuffer(url, options)).toString("utf8");
}

/** Pure: the file names an HTML directory index links to. */
export function linkedNames(html: string): string[] {
  return [...html.matchAll(/href="([^"?#/]+)"/g)].map((m) => decodeURIComponent(m[1] as string));
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
