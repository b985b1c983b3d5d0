import { connect, type Socket } from "node:net";
import { hedge, TimeoutError } from "@msf/core";

export interface SshSocket {
  /** The server's identification line, e.g. `SSH-2.0-OpenSSH_9.2p1 Debian-2`. */
  banner: string;
  /** Paused, with the bytes read so far pushed back: hand it to `connectSsh` as `sock`. */
  socket: Socket;
}

/**
 * Connects and reads the server's identification line. With QEMU user networking a TCP connect
 * to a forwarded port succeeds before the guest listens, so only `SSH-` proves sshd is there.
 * The connection is kept, so the login that follows needs no second handshake with sshd.
 */
export function openSshSocket(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<SshSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    const fail = (error: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no SSH banner from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(new Error("cancelled"));
    signal?.addEventListener("abort", onAbort, { once: true });
    const onClose = () => fail(new Error(`${host}:${port} closed the connection before an SSH banner`));
    socket.on("error", fail);
    socket.on("close", onClose);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString("latin1");
      const line = text.split("\n").find((l, i, all) => i < all.length - 1 && l.startsWith("SSH-"));
      if (!line) return;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", fail);
      socket.on("error", () => {}); // until the SSH client takes the socket over with its own handler
      socket.pause();
      socket.unshift(Buffer.concat(chunks));
      resolve({ banner: line.trim(), socket });
    };
    socket.on("data", onData);
  });
}

/** Reads the identification line and closes the connection. */
export async function readBanner(host: string, port: number, timeoutMs: number): Promise<string> {
  const { banner, socket } = await openSshSocket(host, port, timeoutMs);
  socket.destroy();
  return banner;
}

export interface WaitForSshOptions {
  signal?: AbortSignal;
  /** A new attempt starts this often while earlier ones are still pending. */
  intervalMs?: number;
  /** Attempts in flight at most. */
  maxPending?: number;
  /** How long one attempt may wait for the banner. */
  attemptTimeoutMs?: number;
}

/**
 * Dials until sshd answers, overlapping attempts: under QEMU user networking a connection made
 * while the guest's network was still down can hang in SYN retries long after sshd is up, so a
 * stalled attempt must not hold up a fresh one. The first banner wins; the other attempts close.
 */
export async function waitForSshSocket(host: string, port: number, options: WaitForSshOptions = {}): Promise<SshSocket & { attempts: number }> {
  const { value, attempts } = await hedge((decided) => openSshSocket(host, port, options.attemptTimeoutMs ?? 5_000, decided), {
    signal: options.signal,
    intervalMs: options.intervalMs ?? 200,
    maxPending: options.maxPending ?? 5,
    dispose: (opened) => opened.socket.destroy(),
    what: `waiting for SSH on ${host}:${port}`,
  });
  return { ...value, attempts };
}

export interface WaitForBannerOptions extends WaitForSshOptions {
  timeoutMs: number;
}

/** Waits (with a deadline) until sshd answers on host:port; returns its banner. */
export async function waitForBanner(host: string, port: number, options: WaitForBannerOptions): Promise<{ banner: string; attempts: number }> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const { banner, socket, attempts } = await waitForSshSocket(host, port, { ...options, signal });
    socket.destroy();
    return { banner, attempts };
  } catch (error) {
    if (deadline.aborted) throw new TimeoutError(`waiting for an SSH banner on ${host}:${port}`, options.timeoutMs, { cause: error });
    throw error;
  }
}
