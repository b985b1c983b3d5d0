import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ConfigRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  /** The file served, when one was. */
  file?: string;
  userAgent?: string;
}

export interface ConfigServer {
  port: number;
  /** Base URL as the guest sees it (user-mode networking: the host is 10.0.2.2), ending in /. */
  guestUrl: string;
  /** Every request, served or refused: a fetch of the config is evidence the installer read it. */
  requests: ConfigRequest[];
  onRequest(listener: (request: ConfigRequest) => void): void;
  close(): Promise<void>;
}

export interface ConfigServerOptions {
  /** File name -> content, served under one unguessable path. */
  files: Record<string, string>;
  /** Where to listen (default 127.0.0.1: QEMU's user network forwards 10.0.2.2 there). */
  host?: string;
  /** The host address as the guest sees it. */
  guestHost?: string;
}

/** One install's config server: only its files, only under a random path, only until closed. */
export async function startConfigServer(options: ConfigServerOptions): Promise<ConfigServer> {
  const token = randomBytes(16).toString("hex");
  const requests: ConfigRequest[] = [];
  const listeners: Array<(request: ConfigRequest) => void> = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://config").pathname;
    const name = path.startsWith(`/${token}/`) ? path.slice(token.length + 2) : undefined;
    const body = name !== undefined && Object.hasOwn(options.files, name) && req.method === "GET" ? options.files[name] : undefined;
    const status = body === undefined ? (req.method === "GET" ? 404 : 405) : 200;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(body ?? "");
    // The token never reaches a log: paths are recorded without it.
    const request: ConfigRequest = {
      at: Date.now(),
      method: req.method ?? "?",
      path: name !== undefined ? `/<token>/${name}` : path,
      status,
      file: body === undefined ? undefined : name,
      userAgent: req.headers["user-agent"],
    };
    requests.push(request);
    for (const listener of listeners) listener(request);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    port,
    guestUrl: `http://${options.guestHost ?? "10.0.2.2"}:${port}/${token}/`,
    requests,
    onRequest: (listener) => listeners.push(listener),
    /** Idempotent: the install closes it when the guest powers off, and again on the way out. */
    close: () =>
      (closed ??= new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
