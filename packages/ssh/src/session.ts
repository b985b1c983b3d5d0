import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { AbortedError, formatMs } from "@msf/core";
import ssh2 from "ssh2";
import { SshError } from "./errors.ts";
import { publicKeyBlob } from "./keys.ts";
import { commandArgv, commandText, type ShellScript, shellQuote } from "./quote.ts";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** OpenSSH private key text. */
  privateKey: string;
  /** The server's expected public key line; when given, any other host key is refused. */
  hostKey?: string;
  /** Decides on the key the server presents: undefined accepts it, a sentence refuses it (and becomes the error). */
  hostKeyCheck?: (blob: Buffer) => string | undefined;
  /** Offer only these host key algorithms (those of the keys known for the server, as OpenSSH does). */
  hostKeyAlgorithms?: string[];
}

export interface ConnectOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** An open connection to use (from `openSshSocket`) instead of dialling again. */
  sock?: Socket;
}

export interface ExecOptions {
  /** Enforced twice: remotely by coreutils `timeout`, locally by closing the channel. */
  timeoutMs: number;
  /** Send the script as it is, without the guest-side `timeout` (only for shell builtins, which cannot hang). */
  raw?: boolean;
  signal?: AbortSignal;
  input?: string | Uint8Array;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Bytes of stdout (and of stderr) kept in the result (default 16 MiB); the rest is dropped and the cut marked. */
  maxOutputBytes?: number;
}

export interface SshExecResult {
  command: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface SshSession {
  readonly target: Omit<SshTarget, "privateKey">;
  /** argv (quoted for the remote shell), or a script made with `sh` (its values quoted). Never a bare string. */
  exec(command: readonly string[] | ShellScript, options: ExecOptions): Promise<SshExecResult>;
  /** A TCP stream to host:port as seen from the server (its loopback services, for instance). */
  forward(host: string, port: number): Promise<Duplex>;
  close(): void;
}

/** Connects and authenticates with a key; the host key is pinned when the target names one. */
export function connectSsh(target: SshTarget, options: ConnectOptions): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new AbortedError(`ssh to ${target.host}:${target.port}`));
    const client = new ssh2.Client();
    const expected = target.hostKey ? publicKeyBlob(target.hostKey) : undefined;
    let hostKeyRefused: string | undefined;
    const onAbort = () => {
      client.end();
      reject(new AbortedError(`ssh to ${target.host}:${target.port}`));
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    client.once("ready", () => {
      options.signal?.removeEventListener("abort", onAbort);
      resolve(makeSession(client, target));
    });
    // Every error, not just the first: ssh2 can emit a second (a lost connection after a timed-out
    // handshake), and an 'error' nobody listens to ends the process. Only the first settles the promise.
    client.on("error", (error: Error & { level?: string }) => {
      options.signal?.removeEventListener("abort", onAbort);
      const where = `${target.username}@${target.host}:${target.port}`;
      if (hostKeyRefused !== undefined) {
        reject(
          expected
            ? new SshError(`${where} presented a host key other than the one msf gave this VM`, {
                hint: "another machine answers on this port; check `msf ps` and `msf vm list`",
              })
            : new SshError(`${where}: ${hostKeyRefused}`, {
                hint: "check the server's key out of band (on its console: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)",
              }),
        );
      } else if (error.level === "client-authentication") {
        reject(new SshError(`${where} refused the key`, { hint: "the VM did not take this run's key; look at its serial log", cause: error }));
      } else {
        reject(new SshError(`cannot connect to ${where}: ${error.message}`, { cause: error }));
      }
    });
    client.connect({
      sock: options.sock,
      host: target.host,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      readyTimeout: options.timeoutMs,
      // Only a dead peer is detected this way (every command has its own deadline): an emulated
      // guest on a loaded host can go quiet for tens of seconds and must not be dropped for it.
      keepaliveInterval: 10_000,
      keepaliveCountMax: 9,
      ...(target.hostKeyAlgorithms?.length ? { algorithms: { serverHostKey: target.hostKeyAlgorithms as ssh2.ServerHostKeyAlgorithm[] } } : {}),
      hostVerifier: (key: Buffer) => {
        hostKeyRefused = expected ? (key.equals(expected) ? undefined : "other key") : target.hostKeyCheck?.(key);
        return hostKeyRefused === undefined;
      },
    });
  });
}

function makeSession(client: ssh2.Client, target: SshTarget): SshSession {
  const { privateKey: _secret, ...visible } = target;
  return {
    target: visible,
    exec: (command, options) => execOn(client, command, options),
    forward: (host, port) =>
      new Promise((resolve, reject) => {
        client.forwardOut("127.0.0.1", 0, host, port, (error, stream) => {
          if (error) reject(new SshError(`the server refused to forward to ${host}:${port}: ${error.message}`, { cause: error }));
          else resolve(stream);
        });
      }),
    close: () => client.end(),
  };
}

/** Wraps the command in a remote `timeout` so nothing outlives its deadline on the guest either. */
export function remoteCommandLine(command: readonly string[] | ShellScript, timeoutMs: number): string {
  return shellQuote(["timeout", "--kill-after=5", `${Math.max(1, Math.ceil(timeoutMs / 1000))}`, ...commandArgv(command)]);
}

function execOn(client: ssh2.Client, command: readonly string[] | ShellScript, options: ExecOptions): Promise<SshExecResult> {
  const shown = commandText(command);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const line = options.raw ? shown : remoteCommandLine(command, options.timeoutMs + 1_000);
    client.exec(line, (error, channel) => {
      if (error) return reject(new SshError(`cannot run \`${shown}\` over ssh: ${error.message}`, { cause: error }));
      const limit = options.maxOutputBytes ?? 16 * 1024 * 1024;
      const stdout = boundedBuffer(limit);
      const stderr = boundedBuffer(limit);
      let exitCode: number | null = null;
      let signal: string | null = null;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        channel.close();
      }, options.timeoutMs);
      const onAbort = () => channel.close();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      channel.on("data", (chunk: Buffer) => {
        stdout.push(chunk);
        options.onStdout?.(chunk);
      });
      channel.stderr.on("data", (chunk: Buffer) => {
        stderr.push(chunk);
        options.onStderr?.(chunk);
      });
      channel.on("exit", (code: number | null, sig?: string) => {
        exitCode = code;
        signal = sig ?? null;
      });
      channel.on("close", () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (options.signal?.aborted) return reject(new AbortedError(`\`${shown}\` over ssh`));
        resolve({
          command: shown,
          exitCode,
          signal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          durationMs: Date.now() - started,
          timedOut,
        });
      });
      channel.end(options.input);
    });
  });
}

/** Keeps the first `limit` bytes of a stream; says so when more came. */
function boundedBuffer(limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  return {
    push(chunk: Buffer) {
      const room = Math.max(0, limit - size);
      if (room) chunks.push(room >= chunk.length ? chunk : chunk.subarray(0, room));
      size += Math.min(room, chunk.length);
      dropped += chunk.length - Math.min(room, chunk.length);
    },
    text: () => `${Buffer.concat(chunks).toString("utf8")}${dropped ? `\n[output cut: ${dropped} more bytes]` : ""}`,
  };
}

export function describeExec(result: SshExecResult): string {
  if (result.timedOut) return `\`${result.command}\` timed out after ${formatMs(result.durationMs)}`;
  if (result.signal) return `\`${result.command}\` was killed by ${result.signal}`;
  if (result.exitCode === null) return `\`${result.command}\` ended without an exit status (the SSH connection was lost)`;
  return `\`${result.command}\` exited with code ${result.exitCode}`;
}
