import { isMsfError } from "@msf/core";
import { type Reporter, type ReporterIo, SCHEMA_VERSION } from "./reporter.ts";

/** --json: one JSON object per line on stdout, each with `schemaVersion` and `type`; the last one the result or the error. */
export function ndjsonReporter(io: ReporterIo): Reporter {
  const write = (value: object) => io.stdout.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...value })}\n`);
  return {
    name: "ndjson",
    json: true,
    paint: (_color, text) => text,
    event: (event) => write(event),
    progress: () => {}, // the progress events themselves are written by `event`
    result: (result) => write({ type: "result", ...result }),
    error: (error) =>
      write(
        isMsfError(error)
          ? { type: "error", ...error.toJSON() }
          : { type: "error", code: "ERR_MSF_INTERNAL", message: error instanceof Error ? error.message : String(error), stack: (error as Error)?.stack },
      ),
    passThrough: () => {},
    clearScreen: () => {},
    keepAlive: () => () => {},
  };
}

/** Errors only (on stderr): the exit code says the rest. */
export function silentReporter(io: ReporterIo): Reporter {
  return {
    name: "silent",
    json: false,
    paint: (_color, text) => text,
    event: () => {},
    progress: () => {},
    result: () => {},
    error: (error) => io.stderr.write(`error ${error instanceof Error ? error.message : String(error)}\n`),
    passThrough: () => {},
    clearScreen: () => {},
    keepAlive: () => () => {},
  };
}
