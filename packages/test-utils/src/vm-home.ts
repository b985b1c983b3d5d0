import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { qemuProcessesUnder } from "./processes.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's temporary MSF_HOME; its cache holds the Debian 12 image the global setup built. */
    msfHome: string;
    /** The key of that Debian 12 image (release, -updates and -security as the archive served them). */
    debian12Key: string;
  }
}

/**
 * A private state directory for one VM test file, sharing the run's prebuilt image cache. It lives
 * under the run's home, so the global teardown finds (and ends) anything a failed test left running.
 */
export function vmTestHome(): { home: string; env: NodeJS.ProcessEnv; remove: () => void } {
  const shared = inject("msfHome");
  const home = mkdtempSync(join(shared, "state-"));
  // A VM a failed test left up would slow every later test file: end it before its records go.
  const remove = () => {
    for (const pid of qemuProcessesUnder(home)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // ended meanwhile
      }
    }
    rmSync(home, { recursive: true, force: true });
  };
  return { home, env: { ...process.env, MSF_HOME: home, MSF_CACHE: join(shared, "cache") }, remove };
}
