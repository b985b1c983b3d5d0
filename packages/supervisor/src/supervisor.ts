import { exec } from "./exec.ts";
import type { ProcessRegistry } from "./registry.ts";
import { run, type StartOptions, start } from "./run.ts";
import type { SupervisorEvent } from "./types.ts";

/** Options every process of one component shares. */
export interface SupervisorDefaults {
  registry?: ProcessRegistry;
  logDir?: string;
  onEvent?: (event: SupervisorEvent) => void;
  signal?: AbortSignal;
}

export type ProcessOptions = Omit<StartOptions, keyof SupervisorDefaults> & Partial<SupervisorDefaults>;

export interface Supervisor {
  readonly defaults: SupervisorDefaults;
  start: (options: ProcessOptions) => ReturnType<typeof start>;
  run: (options: ProcessOptions) => ReturnType<typeof run>;
  exec: (options: ProcessOptions) => ReturnType<typeof exec>;
}

/** Binds a registry, a log directory, an event listener and a cancel signal to start/run/exec. */
export function createSupervisor(defaults: SupervisorDefaults = {}): Supervisor {
  const merge = (options: ProcessOptions): StartOptions => ({ ...defaults, ...options });
  return {
    defaults,
    start: (options) => start(merge(options)),
    run: (options) => run(merge(options)),
    exec: (options) => exec(merge(options)),
  };
}
