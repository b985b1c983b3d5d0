import { join } from "node:path";
import { createLogger, fileSink, type Logger, type LogLevel, type LogSink, type MsfPaths, resolveMsfPaths } from "@msf/core";
import { ProcessRegistry } from "./registry.ts";
import { createSupervisor, type Supervisor } from "./supervisor.ts";

/** What every msf operation needs: where state lives, a logger, the pid registry, a supervisor. */
export interface MsfContext {
  paths: MsfPaths;
  logger: Logger;
  /** Where the logger writes (none: libraries and commands stay quiet). */
  logSink?: LogSink;
  registry: ProcessRegistry;
  supervisor: Supervisor;
  env: NodeJS.ProcessEnv;
  /** Multiplies every deadline (hosts without an accelerator, slow CI). */
  timeoutScale: number;
  signal?: AbortSignal;
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logSink?: LogSink;
  signal?: AbortSignal;
}

export function createContext(options: ContextOptions = {}): MsfContext {
  const env = options.env ?? process.env;
  const paths = resolveMsfPaths({ env, cwd: options.cwd });
  const registry = new ProcessRegistry(paths.pids);
  const scale = Number(env.MSF_TIMEOUT_SCALE ?? "1");
  const base = { paths, registry, env, timeoutScale: Number.isFinite(scale) && scale > 0 ? scale : 1, signal: options.signal };
  return { ...base, ...logging(base, options.logSink, env, join(paths.state, "logs")) };
}

/**
 * The same context, also logging to a file (a run's msf.log) at `level` unless MSF_LOG_LEVEL says
 * otherwise, with its processes' output logs in `logDir`.
 */
export function withLogFile(ctx: MsfContext, options: { path: string; level: LogLevel; logDir: string }): MsfContext {
  const file = fileSink(options.path);
  const sink: LogSink = ctx.logSink
    ? (record) => {
        file(record);
        ctx.logSink?.(record);
      }
    : file;
  const env = { ...ctx.env, MSF_LOG_LEVEL: ctx.env.MSF_LOG_LEVEL ?? options.level };
  return { ...ctx, ...logging(ctx, sink, env, options.logDir) };
}

/** A logger and a supervisor that logs every process it starts (argv, exit code) through it. */
function logging(ctx: Pick<MsfContext, "registry" | "signal">, sink: LogSink | undefined, env: NodeJS.ProcessEnv, logDir: string) {
  const logger = createLogger({ sink, env });
  const processLog = logger.child("process");
  const supervisor = createSupervisor({
    registry: ctx.registry,
    signal: ctx.signal,
    logDir,
    onEvent: (event) => {
      if (event.type === "output") processLog.trace(event.line, { process: event.name, stream: event.stream });
      else processLog.debug(event.type, { ...event });
    },
  });
  return { logger, logSink: sink, supervisor };
}
