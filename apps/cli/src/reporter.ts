import { isMsfError } from "@msf/core";

export const SCHEMA_VERSION = 1;

export interface ReporterOptions {
  json: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Where a command's output goes. Human mode: progress on stderr, the outcome on stdout.
 * JSON mode (--json): one JSON object per line on stdout, each with `schemaVersion` and `type`.
 */
export class Reporter {
  readonly json: boolean;
  readonly color: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;

  constructor(options: ReporterOptions) {
    this.json = options.json;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    this.color = !options.json && Boolean((options.stderr ?? process.stderr).isTTY) && !process.env.NO_COLOR;
  }

  /** A progress event: a JSON line, or (human mode) the text `human` renders, if any. */
  event(event: { type: string; [key: string]: unknown }, human?: string): void {
    if (this.json) this.writeJson(event);
    else if (human !== undefined) this.err.write(`${human}\n`);
  }

  /** The command's outcome: the last JSON line, or human text on stdout. */
  result(result: object, human: string): void {
    if (this.json) this.writeJson({ type: "result", ...result });
    else this.out.write(human.endsWith("\n") ? human : `${human}\n`);
  }

  error(error: unknown): void {
    const body = isMsfError(error)
      ? error.toJSON()
      : { code: "ERR_MSF_INTERNAL", message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined };
    if (this.json) {
      this.writeJson({ type: "error", ...body });
      return;
    }
    const lines = [`${this.paint("31", "error")} ${body.message}`];
    if ("hint" in body && body.hint) lines.push(`  ${this.paint("2", "next:")} ${body.hint}`);
    if ("stack" in body && body.stack && process.env.MSF_LOG_LEVEL === "debug") lines.push(body.stack);
    this.err.write(`${lines.join("\n")}\n`);
  }

  paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private writeJson(value: object): void {
    this.out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...value })}\n`);
  }
}
