import { isMsfError } from "@msf/core";
import type { Color, Reporter, ReporterIo } from "./reporter.ts";

const ANSI: Record<Color, string> = { green: "32", red: "31", yellow: "33", dim: "2" };
export const KEEP_ALIVE_MS = 30_000;

/**
 * Human output: progress on stderr, the outcome on stdout. `pretty` uses colours and redraws live
 * progress in place; `plain` (logs, CI) prints progress as lines now and then, and while a long
 * step is silent, says what it is doing at least every 30 s.
 */
export function humanReporter(io: ReporterIo, pretty: boolean): Reporter {
  const color = pretty && !io.env.NO_COLOR;
  let lastProgress = 0;
  let lastWrite = Date.now();
  const err = (text: string) => {
    lastWrite = Date.now();
    io.stderr.write(text);
  };
  const paint = (tone: Color, text: string) => (color ? `\x1b[${ANSI[tone]}m${text}\x1b[0m` : text);
  return {
    name: pretty ? "pretty" : "plain",
    json: false,
    paint,
    event: (_event, human) => {
      if (human !== undefined) err(`${human}\n`);
    },
    progress(line, fraction, done) {
      if (pretty) {
        const width = 20;
        const bar = fraction === undefined ? "" : `[${"#".repeat(Math.round(fraction * width)).padEnd(width, ".")}] `;
        err(`\r${bar}${line}\x1b[K${done ? "\n" : ""}`);
      } else if (done || Date.now() - lastProgress > 5_000) {
        lastProgress = Date.now();
        err(`${line}\n`);
      }
    },
    result: (_result, human) => io.stdout.write(human.endsWith("\n") ? human : `${human}\n`),
    error(error) {
      const message = error instanceof Error ? error.message : String(error);
      const lines = [`${paint("red", "error")} ${message}`];
      if (isMsfError(error) && error.hint) lines.push(`  ${paint("dim", "next:")} ${error.hint}`);
      if (!isMsfError(error) && error instanceof Error && io.env.MSF_LOG_LEVEL === "debug") lines.push(error.stack ?? "");
      err(`${lines.join("\n")}\n`);
    },
    passThrough: (stream, chunk) => (stream === "stdout" ? io.stdout : io.stderr).write(chunk),
    clearScreen: () => {
      if (pretty) io.stdout.write("\x1b[2J\x1b[H");
    },
    keepAlive(describe) {
      if (pretty) return () => {};
      const timer = setInterval(() => {
        if (Date.now() - lastWrite >= KEEP_ALIVE_MS) err(`... ${describe()}\n`);
      }, 1_000);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
