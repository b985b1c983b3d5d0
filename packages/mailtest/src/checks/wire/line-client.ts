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
}

/**
 * A line-oriented client for SMTP, POP3, IMAP and clamd that keeps a transcript (`C:` what was sent,
 * `S:` what came back) as evidence. Every read has a deadline.
 */
export class LineClient {
  readonly transcript: string[] = [];
  private socket: Socket | TLSSocket;
  private buffer = "";
  private waiters: Array<() => void> = [];
  private closed = false;
  private readonly timeoutMs: number;

  private constructor(socket: Socket | TLSSocket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.attach(socket);
  }

  static async connect(endpoint: Endpoint, options: LineClientOptions = {}): Promise<LineClient> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const socket = await open(endpoint, options.tls, timeoutMs);
    const client = new LineClient(socket, timeoutMs);
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
    this.transcript.push(`-- ${text}`);
  }

  /** Sends a line; `shown` replaces it in the transcript (for credentials). */
  send(line: string, shown?: string): void {
    this.transcript.push(`C: ${shown ?? line}`);
    this.socket.write(`${line}\r\n`);
  }

  async readLine(timeoutMs = this.timeoutMs): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const newline = this.buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline).replace(/\r$/, "");
        this.buffer = this.buffer.slice(newline + 1);
        this.transcript.push(`S: ${line}`);
        return line;
      }
      if (this.closed) throw new Error(`the server closed the connection${this.buffer ? ` after "${this.buffer}"` : ""}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError("waiting for a reply", timeoutMs, { details: { transcript: this.transcript.slice(-10) } });
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

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
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
