import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface Served {
  body: Buffer;
  etag?: string;
  lastModified?: string;
}

export interface RequestLog {
  path: string;
  range?: string;
  status: number;
  /** Body bytes written for this request. */
  bytes: number;
}

/** Returns true when it answered the request itself (a fault); otherwise the file is served normally. */
export type Fault = (req: IncomingMessage, res: ServerResponse, context: { served?: Served; attempt: number }) => boolean;

export interface TestHttpServer {
  url: string;
  files: Map<string, Served>;
  requests: RequestLog[];
  /** Per path: a fault that decides, request by request, whether to misbehave. */
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 serving in-memory files with ETag, Last-Modified and Range
 * (206) support, and per-path faults for the download tests: drops, 5xx, redirects, stalls.
 */
export async function startHttpServer(files: Record<string, Served | Buffer | string> = {}): Promise<TestHttpServer> {
  const map = new Map<string, Served>(
    Object.entries(files).map(([path, value]) => [path, typeof value === "string" || Buffer.isBuffer(value) ? { body: Buffer.from(value) } : value]),
  );
  const requests: RequestLog[] = [];
  const faults = new Map<string, Fault>();
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const attempt = (attempts.get(path) ?? 0) + 1;
    attempts.set(path, attempt);
    const served = map.get(path);
    const log: RequestLog = { path, range: req.headers.range, status: 0, bytes: 0 };
    requests.push(log);
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
      log.bytes += Buffer.byteLength(chunk);
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === "string" || Buffer.isBuffer(chunk)) log.bytes += Buffer.byteLength(chunk);
      return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    res.on("finish", () => {
      log.status = res.statusCode;
    });
    res.on("close", () => {
      log.status ||= res.statusCode;
    });
    if (faults.get(path)?.(req, res, { served, attempt })) return;
    if (!served) {
      res.writeHead(404).end();
      return;
    }
    serve(req, res, served);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    files: map,
    requests,
    faults,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves a file, honouring Range (with If-Range against the ETag) like a proper web server. */
export function serve(req: IncomingMessage, res: ServerResponse, served: Served, options: { ignoreRange?: boolean } = {}): void {
  const headers: Record<string, string> = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
  if (served.etag) headers.etag = served.etag;
  if (served.lastModified) headers["last-modified"] = served.lastModified;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const ifRange = req.headers["if-range"];
  const validatorOk = !ifRange || ifRange === served.etag || ifRange === served.lastModified;
  if (range && validatorOk && !options.ignoreRange) {
    const start = Number(range[1]);
    res.writeHead(206, {
      ...headers,
      "content-length": String(served.body.length - start),
      "content-range": `bytes ${start}-${served.body.length - 1}/${served.body.length}`,
    });
    res.end(served.body.subarray(start));
    return;
  }
  res.writeHead(200, { ...headers, "content-length": String(served.body.length) });
  res.end(served.body);
}
