import { join } from "node:path";
import { createLogger, type Logger, type LogSink, type MsfPaths, resolveMsfPaths } from "@msf/core";
import { createSupervisor, ProcessRegistry, type Supervisor } from "@msf/supervisor";

/** What every msf operation needs: where state lives, a logger, the pid registry, a supervisor. */
export interface MsfContext {
  paths: MsfPaths;
  logger: Logger;
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
  const logger = createLogger({ sink: options.logSink, env });
  const registry = new ProcessRegistry(paths.pids);
  const processLog = logger.child("process");
  const supervisor = createSupervisor({
    registry,
    signal: options.signal,
    logDir: join(paths.state, "logs"),
    onEvent: (event) => {
      if (event.type === "output") processLog.trace(event.line, { process: event.name, stream: event.stream });
      else processLog.debug(event.type, { ...event });
    },
  });
  const scale = Number(env.MSF_TIMEOUT_SCALE ?? "1");
  return { paths, logger, registry, supervisor, env, timeoutScale: Number.isFinite(scale) && scale > 0 ? scale : 1, signal: options.signal };
}
