import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { AbortedError, MsfError, TimeoutError } from "@msf/core";

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export class QmpError extends MsfError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super("ERR_MSF_QMP", message, options);
    this.name = "QmpError";
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface QmpConnectOptions {
  /** The socket appears a moment after QEMU starts: keep trying until then. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A QMP client over QEMU's unix socket: capabilities handshake, commands matched to replies by id,
 * asynchronous events. `closed` settles when QEMU closes the socket, which it does when it exits.
 */
export class QmpClient extends EventEmitter<{ event: [QmpEvent] }> {
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private buffer = "";
  private nextId = 1;
  private greeting: Pending | undefined;
  private isClosed = false;

  private constructor(socket: Socket) {
    super();
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(chunk));
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.isClosed = true;
        const error = new QmpError("QEMU closed the QMP connection (the machine has exited)");
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
        this.greeting?.reject(error);
        resolve();
      });
    });
    socket.on("error", () => {}); // surfaced through `closed` and pending commands
  }

  static async connect(path: string, options: QmpConnectOptions): Promise<QmpClient> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      if (options.signal?.aborted) throw new AbortedError(`connecting to QMP at ${path}`);
      try {
        const socket = await openSocket(path);
        const client = new QmpClient(socket);
        await client.handshake();
        return client;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== "ENOENT" && code !== "ECONNREFUSED") || Date.now() >= deadline) {
          if (code === "ENOENT" || code === "ECONNREFUSED") throw new TimeoutError(`waiting for the QMP socket ${path}`, options.timeoutMs);
          throw error;
        }
      }
      await sleep(50);
    }
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Runs a QMP command; rejects with QmpError on an error reply or when QEMU goes away. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    if (this.isClosed) return Promise.reject(new QmpError(`cannot run ${command}: QEMU has exited`));
    const id = `msf-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`QMP command ${command}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(`${JSON.stringify({ execute: command, arguments: args, id })}\n`);
    });
  }

  /** Resolves with the first event of that name; rejects on timeout or when QEMU exits first. */
  waitForEvent(name: string, timeoutMs: number, signal?: AbortSignal): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off("event", onEvent);
        signal?.removeEventListener("abort", onAbort);
      };
      const onEvent = (event: QmpEvent) => {
        if (event.event !== name) return;
        cleanup();
        resolve(event);
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortedError(`waiting for the QMP event ${name}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`waiting for the QMP event ${name}`, timeoutMs));
      }, timeoutMs);
      this.on("event", onEvent);
      signal?.addEventListener("abort", onAbort, { once: true });
      void this.closed.then(() => {
        cleanup();
        reject(new QmpError(`QEMU exited before the ${name} event`));
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private handshake(): Promise<void> {
    return new Promise<unknown>((resolve, reject) => {
      this.greeting = { resolve, reject };
    }).then(() => this.execute("qmp_capabilities").then(() => undefined));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf("\n");
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.dispatch(JSON.parse(line) as Record<string, unknown>);
      newline = this.buffer.indexOf("\n");
    }
  }

  private dispatch(message: Record<string, unknown>): void {
    if ("QMP" in message) {
      this.greeting?.resolve(message.QMP);
      this.greeting = undefined;
    } else if ("event" in message) {
      this.emit("event", message as unknown as QmpEvent);
    } else if (typeof message.id === "string" && this.pending.has(message.id)) {
      const pending = this.pending.get(message.id) as Pending;
      this.pending.delete(message.id);
      if ("error" in message) {
        const error = message.error as { class?: string; desc?: string };
        pending.reject(new QmpError(`QMP ${error.class ?? "error"}: ${error.desc ?? "unknown"}`));
      } else {
        pending.resolve(message.return);
      }
    }
  }
}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
