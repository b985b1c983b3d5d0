import { StringDecoder } from "node:string_decoder";

/** A "line" longer than this (a child writing without newlines) is passed on in pieces, never held whole. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Splits a byte stream into lines (carrying partial ones) and keeps a bounded copy of the text. */
export class OutputCollector {
  private readonly decoder = new StringDecoder("utf8");
  private carry = "";
  private kept = "";
  private truncated = false;
  private readonly maxChars: number;
  private readonly onLine: (line: string) => void;

  constructor(maxChars: number, onLine: (line: string) => void) {
    this.maxChars = maxChars;
    this.onLine = onLine;
  }

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  end(): void {
    this.take(this.decoder.end());
    if (this.carry) this.onLine(this.carry);
    this.carry = "";
  }

  /** The collected text; when it outgrew the limit, its head is kept and the cut is marked. */
  get text(): string {
    return this.truncated ? `${this.kept}\n[output truncated]` : this.kept;
  }

  private take(text: string): void {
    if (!text) return;
    if (this.kept.length + text.length <= this.maxChars) this.kept += text;
    else {
      this.kept += text.slice(0, Math.max(0, this.maxChars - this.kept.length));
      this.truncated = true;
    }
    const lines = (this.carry + text).split("\n");
    this.carry = lines.pop() ?? "";
    for (const line of lines) this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    if (this.carry.length > MAX_LINE_CHARS) {
      this.onLine(this.carry);
      this.carry = "";
    }
  }
}

/** The last `count` lines of a text, for error messages. */
export function lastLines(text: string, count: number): string[] {
  return text.trimEnd().split("\n").slice(-count).filter(Boolean);
}
