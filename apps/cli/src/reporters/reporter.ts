/** How a command's output looks: `pretty` (a terminal), `plain` (logs, CI), `ndjson` (--json), `silent` (errors only). */
export const REPORTERS = ["pretty", "plain", "ndjson", "silent"] as const;
export type ReporterName = (typeof REPORTERS)[number];

export const SCHEMA_VERSION = 1;

export interface ReporterIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Everything a command prints goes through here (and so through the io it was given). */
export interface Reporter {
  readonly name: ReporterName;
  /** True when output is JSON lines (a command then leaves raw output to the JSON). */
  readonly json: boolean;
  /** Something happened: ndjson writes the event; human modes write `human`, if given. */
  event<E extends { type: string }>(event: E, human?: string): void;
  /** Live progress of one thing (a download): redrawn in place on a terminal, a line now and then otherwise. */
  progress(line: string, fraction: number | undefined, done: boolean): void;
  /** The outcome: the last JSON line, or human text on stdout. */
  result(result: object, human: string): void;
  error(error: unknown): void;
  /** Raw output passed through (a remote command's), in human modes. */
  passThrough(stream: "stdout" | "stderr", chunk: Uint8Array): void;
  /** A fresh screen for a redrawn view (msf status --watch). */
  clearScreen(): void;
  paint(color: Color, text: string): string;
  /** While something long runs: plain mode says what is happening at least every 30 s. Returns the stop. */
  keepAlive(describe: () => string): () => void;
}

export type Color = "green" | "red" | "yellow" | "dim";
