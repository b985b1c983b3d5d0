import { type Socket, connect as tcpConnect } from "node:net";
import { type SecureVersion, type TLSSocket, connect as tlsConnect } from "node:tls";
import { TimeoutError } from "@msf/core";

export interface Endpoint {
  host: string;
  port: number;
}

export interface TlsOptions {
  /** The name the certificate must carry (SNI and verification). */
  servername: string;
  /** PEM of the CA to trust; without it, the system's CAs (a per-run CA then fails, as it should). */
  ca?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
}

export interface LineClientOptions {
  /** Implicit TLS (465, 993, 995). */
  tls?: TlsOptions;
  timeoutMs?: number;
  /** A line may not be longer (default 1 MiB; SMTP allows 1000 bytes): a server that never sends a newline cannot fill memory. */
  maxLineBytes?: number;
}

/** Lines in the transcript are cut here: evidence, not a copy of whatever the server sent. */
const TRANSCRIPT_LINE_CHARS = 2_000;
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/**
 * A line-oriented client for SMTP, POP3, IMAP and clamd that keeps a transcript (`C:` what was sent,
 * `S:` what came back) as evidence. Every read has a deadline; a read that misses it, or a line
 * over the limit, ends the connection (a conversation out of step cannot be trusted further).
 */
export class LineClient {
  readonly transcript: string[] = [];
  private socket: Socket | TLSSocket;
  private buffer = "";
  private waiters: Array<() => void> = [];
  private closed = false;
  private failure: Error | undefined;
  private readonly timeoutMs: number;
  private readonly maxLineBytes: number;

  private constructor(socket: Socket | TLSSocket, timeoutMs: number, maxLineBytes: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.maxLineBytes = maxLineBytes;
    this.attach(socket);
  }

  static async connect(endpoint: Endpoint, options: LineClientOptions = {}): Promise<LineClient> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const socket = await open(endpoint, options.tls, timeoutMs);
    const client = new LineClient(socket, timeoutMs, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    client.note(`connected to ${endpoint.host}:${endpoint.port}${options.tls ? ` with TLS (${describeTls(socket as TLSSocket)})` : ""}`);
    return client;
  }

  get isTls(): boolean {
    return "encrypted" in this.socket;
  }

  get tlsSocket(): TLSSocket | undefined {
    return this.isTls ? (this.socket as TLSSocket) : undefined;
  }

  note(text: string): void {
    this.keep(`-- ${text}`);
  }

  /** Sends a line; `shown` replaces it in the transcript (for credentials). */
  send(line: string, shown?: string): void {
    this.keep(`C: ${shown ?? line}`);
    this.socket.write(`${line}\r\n`);
  }

  async readLine(timeoutMs = this.timeoutMs): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const newline = this.buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline).replace(/\r$/, "");
        this.buffer = this.buffer.slice(newline + 1);
        if (this.socket.isPaused() && this.buffer.length < this.maxLineBytes) this.socket.resume();
        this.keep(`S: ${line}`);
        return line;
      }
      if (this.failure) throw this.failure;
      if (this.closed) throw new Error(`the server closed the connection${this.buffer ? ` after "${this.buffer.slice(0, 200)}"` : ""}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.close();
        throw new TimeoutError("waiting for a reply", timeoutMs, { details: { transcript: this.transcript.slice(-10) } });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Upgrades the connection in place (STARTTLS, STLS). */
  async startTls(options: TlsOptions): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secured = (await open(undefined, options, this.timeoutMs, plain)) as TLSSocket;
    this.socket = secured;
    this.buffer = "";
    this.attach(secured);
    this.note(`TLS started (${describeTls(secured)})`);
  }

  close(): void {
    this.socket.destroy();
  }

  private keep(line: string): void {
    this.transcript.push(line.length > TRANSCRIPT_LINE_CHARS ? `${line.slice(0, TRANSCRIPT_LINE_CHARS)}… (${line.length} characters)` : line);
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      // Only the part after the last newline can still grow into an over-long line.
      if (this.buffer.length - this.buffer.lastIndexOf("\n") - 1 > this.maxLineBytes) {
        this.failure = new Error(`the server sent a line longer than ${this.maxLineBytes} bytes without a newline`);
        this.buffer = "";
        socket.destroy();
      } else if (this.buffer.length > 4 * this.maxLineBytes) {
        socket.pause(); // many lines not read yet: let TCP hold the rest until they are
      }
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

function open(endpoint: Endpoint | undefined, tls: TlsOptions | undefined, timeoutMs: number, over?: Socket): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls
      ? tlsConnect({
          ...(over ? { socket: over } : { host: endpoint?.host, port: endpoint?.port }),
          servername: tls.servername,
          ca: tls.ca,
          minVersion: tls.minVersion,
          maxVersion: tls.maxVersion,
          ciphers: tls.ciphers,
          rejectUnauthorized: true,
        })
      : tcpConnect({ host: endpoint?.host, port: endpoint?.port ?? 0 });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`connecting to ${endpoint ? `${endpoint.host}:${endpoint.port}` : "TLS"}`, timeoutMs));
    }, timeoutMs);
    socket.once(tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export function describeTls(socket: TLSSocket): string {
  const cert = socket.getPeerCertificate();
  return `${socket.getProtocol()}, ${socket.getCipher()?.name ?? "?"}, certificate CN=${cert?.subject?.CN ?? "?"} issued by CN=${cert?.issuer?.CN ?? "?"}`;
}
