import { MsfError } from "@msf/core";
import { humanReporter } from "./human.ts";
import { ndjsonReporter, silentReporter } from "./ndjson.ts";
import { REPORTERS, type Reporter, type ReporterIo, type ReporterName } from "./reporter.ts";

const MAKERS: Record<ReporterName, (io: ReporterIo) => Reporter> = {
  pretty: (io) => humanReporter(io, true),
  plain: (io) => humanReporter(io, false),
  ndjson: ndjsonReporter,
  silent: silentReporter,
};

/** The reporter asked for (`--json` is `--reporter ndjson`); by default pretty on a terminal, plain otherwise. */
export function chooseReporter(options: { reporter?: unknown; json?: unknown }, io: ReporterIo): Reporter {
  const name = options.json ? "ndjson" : (options.reporter ?? (io.stderr.isTTY ? "pretty" : "plain"));
  if (!REPORTERS.includes(name as ReporterName)) {
    throw new MsfError("ERR_MSF_USAGE", `--reporter: expected one of ${REPORTERS.join(", ")}, got ${JSON.stringify(name)}`);
  }
  return MAKERS[name as ReporterName](io);
}

export { REPORTERS, type Reporter, type ReporterName, SCHEMA_VERSION } from "./reporter.ts";
