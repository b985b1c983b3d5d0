import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { AbortedError, TimeoutError } from "@msf/core";

/**
 * Reads the server's identification line. With QEMU user networking a TCP connect to a forwarded
 * port succeeds before the guest listens, so only `SSH-2.0-` proves sshd is there.
 */
export function readBanner(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let text = "";
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no SSH banner from ${host}:${port} within ${timeoutMs} ms`)));
    socket.on("error", fail);
    socket.on("close", () => fail(new Error(`${host}:${port} closed the connection before an SSH banner`)));
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const line = text.split("\n").find((l, i, all) => i < all.length - 1 && l.startsWith("SSH-"));
      if (line) {
        socket.removeAllListeners("close");
        socket.destroy();
        resolve(line.trim());
      }
    });
  });
}

export interface WaitForBannerOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Pause between attempts; connections to a local forward are cheap, so keep it short. */
  retryMs?: number;
}

/** Retries readBanner until sshd answers, the deadline passes, or the signal aborts. */
export async function waitForBanner(host: string, port: number, options: WaitForBannerOptions): Promise<{ banner: string; attempts: number }> {
  const deadline = Date.now() + options.timeoutMs;
  let attempts = 0;
  let lastError = "";
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new AbortedError(`waiting for SSH on ${host}:${port}`);
    attempts++;
    try {
      const banner = await readBanner(host, port, Math.min(5_000, Math.max(1, deadline - Date.now())));
      return { banner, attempts };
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(options.retryMs ?? 200, undefined, { signal: options.signal }).catch(() => {});
  }
  throw new TimeoutError(`waiting for an SSH banner on ${host}:${port}`, options.timeoutMs, { details: { attempts, lastError } });
}
