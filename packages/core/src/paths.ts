import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Where msf keeps things. Caches are per user; state (runs, VMs, pid records) is per working directory. */
export interface MsfPaths {
  /** Shared downloads and golden images. */
  cache: string;
  /** Runs, VMs and pid records of this working directory. */
  state: string;
  media: string;
  images: string;
  runs: string;
  vms: string;
  pids: string;
}

export interface PathOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * `$MSF_HOME` puts cache and state in one place (tests use a temporary one); `$MSF_CACHE` points
 * the cache elsewhere (several state directories sharing one image cache).
 */
export function resolveMsfPaths(options: PathOptions = {}): MsfPaths {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = env.MSF_HOME ? resolve(cwd, env.MSF_HOME) : undefined;
  const defaultCache = home ? join(home, "cache") : join(env.XDG_CACHE_HOME ? resolve(cwd, env.XDG_CACHE_HOME) : join(homedir(), ".cache"), "msf");
  const cache = env.MSF_CACHE ? resolve(cwd, env.MSF_CACHE) : defaultCache;
  const state = home ?? join(cwd, ".msf");
  return {
    cache,
    state,
    media: join(cache, "media"),
    images: join(cache, "images"),
    runs: join(state, "runs"),
    vms: join(state, "vms"),
    pids: join(state, "pids"),
  };
}
