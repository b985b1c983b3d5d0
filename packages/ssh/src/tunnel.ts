import { createServer, type Server, type Socket } from "node:net";
import type { SshSession } from "./session.ts";

export interface Tunnel {
  /** Connect here (127.0.0.1) to reach the remote service. */
  port: number;
  close(): Promise<void>;
}

/**
 * A local port that forwards every connection through SSH to host:port on the server, so
 * ordinary clients (pg, ioredis, a raw socket) reach services that listen only on the guest's
 * loopback. The connections come from the guest itself: not for testing relay rules.
 */
export function openTunnel(session: SshSession, host: string, port: number): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    session.forward(host, port).then(
      (stream) => {
        stream.on("error", () => socket.destroy());
        socket.pipe(stream).pipe(socket);
      },
      () => socket.destroy(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port: local } = server.address() as { port: number };
      resolve({
        port: local,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
