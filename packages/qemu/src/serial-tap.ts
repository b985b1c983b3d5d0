import { EventEmitter } from "node:events";
import { type FSWatcher, watch } from "node:fs";
import { type FileHandle, open, writeFile } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { AbortedError, TimeoutError } from "@msf/core";

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r/g;

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Follows a serial console log as QEMU writes it (inotify, with a slow safety re-read), splits it
 * into clean lines, keeps the last ones for failure reports and lets callers wait for patterns.
 */
export class SerialTap extends EventEmitter<{ line: [string]; partial: [string]; output: [] }> {
  readonly path: string;
  /** When the first byte arrived (ms since the epoch). */
  firstOutputAt: number | undefined;
  private readonly keep: number;
  private readonly recent: string[] = [];
  private readonly decoder = new StringDecoder("utf8");
  private carry = "";
  private offset = 0;
  private handle: FileHandle | undefined;
  private watcher: FSWatcher | undefined;
  private safety: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(path: string, keepLines = 200) {
    super();
    this.path = path;
    this.keep = keepLines;
  }

  /** Creates the log if needed (QEMU truncates it when it starts) and begins following it. */
  async start(): Promise<void> {
    await writeFile(this.path, "", { flag: "a" });
    this.handle = await open(this.path, "r");
    this.watcher = watch(this.path, () => void this.poke());
    this.watcher.on("error", () => {});
    this.safety = setInterval(() => void this.poke(), 1_000);
    this.safety.unref();
    await this.poke();
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    clearInterval(this.safety);
    await this.poke();
    await this.handle?.close();
    this.handle = undefined;
  }

  /** The last `count` console lines, escape sequences removed. */
  lastLines(count = 20): string[] {
    const lines = this.carry ? [...this.recent, clean(this.carry)] : this.recent;
    return lines.slice(-count);
  }

  /** Resolves at the first byte of console output. */
  waitForOutput(options: WaitOptions): Promise<number> {
    if (this.firstOutputAt !== undefined) return Promise.resolve(this.firstOutputAt);
    return this.waitUntil("console output", ["output"], () => this.firstOutputAt, options);
  }

  /** Resolves with the first line (already seen or still to come, prompts without a newline too) that matches. */
  waitForLine(pattern: RegExp, options: WaitOptions): Promise<string> {
    const seen = this.lastLines(this.keep).find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    const check = (line?: string) => (line !== undefined && pattern.test(line) ? line : undefined);
    return this.waitUntil(`a console line matching ${pattern}`, ["line", "partial"], check, options);
  }

  private waitUntil<T>(
    what: string,
    eventNames: Array<"line" | "partial" | "output">,
    check: (line?: string) => T | undefined,
    options: WaitOptions,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        for (const name of eventNames) this.off(name, listener);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const listener = (line?: string) => {
        const value = check(line);
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortedError(`waiting for ${what}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`waiting for ${what}`, options.timeoutMs, { details: { lastLines: this.lastLines() } }));
      }, options.timeoutMs);
      for (const name of eventNames) this.on(name, listener);
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Reads what was appended; concurrent pokes coalesce into one more read. */
  private poke(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readNew().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        void this.poke();
      }
    });
    return this.reading;
  }

  private async readNew(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    const { size } = await handle.stat();
    if (size < this.offset) this.offset = 0; // truncated by QEMU at start
    const buffer = Buffer.alloc(64 * 1024);
    while (this.offset < size) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.take(this.decoder.write(buffer.subarray(0, bytesRead)));
    }
  }

  private take(text: string): void {
    if (!text) return;
    if (this.firstOutputAt === undefined) {
      this.firstOutputAt = Date.now();
      this.emit("output");
    }
    const parts = (this.carry + text).split("\n");
    this.carry = parts.pop() ?? "";
    // A console that never ends its line (a guest printing garbage) is cut into pieces, never held whole.
    if (this.carry.length > MAX_LINE_CHARS) {
      parts.push(this.carry);
      this.carry = "";
    }
    for (const raw of parts) {
      const line = clean(raw);
      this.recent.push(line);
      if (this.recent.length > this.keep) this.recent.shift();
      this.emit("line", line);
    }
    if (this.carry) this.emit("partial", clean(this.carry));
  }
}

const MAX_LINE_CHARS = 64 * 1024;

function clean(line: string): string {
  return line.replace(ANSI, "").trimEnd();
}
