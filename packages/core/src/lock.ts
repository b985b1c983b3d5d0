import { createHash } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { resolve } from "node:path";
import { AbortedError, MsfError } from "./errors.ts";

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for the holder; 0 fails at once. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * An exclusive lock named by a path, held as a Linux abstract unix socket.
 * The kernel frees the name when the holder exits, however it dies, so a lock
 * never goes stale and nothing on disk needs recovering. Waiters connect to the
 * holder and retry the moment that connection closes: no polling.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<Lock> {
  const name = `\0msf-lock:${createHash("sha256").update(resolve(path)).digest("hex").slice(0, 40)}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(`waiting for the lock ${path}`);
    const server = await tryListen(name);
    if (server) return holdLock(path, server);
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new MsfError("ERR_MSF_LOCKED", `${path} is locked by another msf process`, {
        hint: "wait for the other msf command to finish, or end it (msf ps, msf kill)",
      });
    }
    await waitForHolder(name, left, options.signal);
  }
}

function tryListen(name: string): Promise<Server | undefined> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolvePromise(undefined);
      else reject(error);
    });
    server.listen(name, () => {
      server.unref();
      resolvePromise(server);
    });
  });
}

function holdLock(path: string, server: Server): Lock {
  const waiters = new Set<Socket>();
  server.on("connection", (socket) => {
    socket.unref();
    waiters.add(socket);
    socket.on("close", () => waiters.delete(socket));
    socket.on("error", () => {});
  });
  return {
    path,
    release: () =>
      new Promise((done) => {
        server.close(() => done());
        for (const socket of waiters) socket.destroy();
      }),
  };
}

/** Resolves when the holder lets go (its connection closes), the wait runs out, or on abort. */
function waitForHolder(name: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const socket = connect(name);
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      socket.destroy();
      done();
    };
    const timer = setTimeout(finish, timeoutMs);
    signal?.addEventListener("abort", finish, { once: true });
    socket.on("close", finish);
    socket.on("error", finish);
  });
}
