import { request } from "node:http";

export interface SocketHttpOptions {
  method?: "GET" | "POST";
  body?: string;
  timeoutMs: number;
  /** The answer may not be larger (default 1 MiB): a service that talks on is cut off. */
  maxBytes?: number;
}

/** One HTTP request over a unix socket (a tunnel to a service on the server's loopback), with a deadline and a size cap. */
export function httpOverSocket(socketPath: string, path: string, options: SocketHttpOptions): Promise<{ status: number; text: string }> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: options.method ?? "GET", headers: { host: "localhost" }, timeout: options.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return req.destroy(new Error(`${path} answered with more than ${maxBytes} bytes`));
        chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    const deadline = setTimeout(() => req.destroy(new Error(`${path} did not answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on("close", () => clearTimeout(deadline));
    req.on("error", reject);
    req.end(options.body);
  });
}
