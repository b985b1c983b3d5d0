import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SshSession } from "./session.ts";

export interface Tunnel {
  /** Connect to this unix socket to reach the remote service. */
  path: string;
  /** Its directory (0700): what a client that wants a directory and a port (PostgreSQL's) is given. */
  dir: string;
  close(): Promise<void>;
}

export interface TunnelOptions {
  /** The socket's file name in its private directory (PostgreSQL clients want `.s.PGSQL.<port>`). */
  name?: string;
}

/**
 * A unix socket that forwards every connection through SSH to host:port on the server, so ordinary
 * clients (pg, ioredis, a raw socket, HTTP) reach services that listen only on the server's loopback.
 * It lives in a fresh 0700 directory: no other local user can connect to it (a loopback TCP port
 * would let any of them reach the server's Redis or database while the checks run). The connections
 * come from the server itself: not for testing relay rules.
 */
export async function openTunnel(session: SshSession, host: string, port: number, options: TunnelOptions = {}): Promise<Tunnel> {
  const dir = await mkdtemp(join(tmpdir(), "msf-tunnel-")); // mkdtemp makes it 0700
  const path = join(dir, options.name ?? "socket");
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    session.forward(host, port).then(
      (stream) => {
        stream.on("error", () => socket.destroy());
        stream.on("close", () => socket.destroy());
        socket.on("close", () => stream.destroy());
        socket.pipe(stream).pipe(socket);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    dir,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
