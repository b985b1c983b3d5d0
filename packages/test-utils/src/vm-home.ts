import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";
import { qemuProcessesUnder } from "./processes.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's temporary MSF_HOME; its cache holds the Debian 12 image the global setup builds. */
    msfHome: string;
  }
}

/** What the global setup writes once the shared Debian 12 image is built (or could not be). */
interface SharedImage {
  key?: string;
  error?: string;
}

/** The global setup's record of the shared Debian 12 image, under the run's home. */
export const sharedImageRecord = (home: string) => join(home, "debian-12-image.json");

function readSharedImage(): SharedImage | undefined {
  try {
    return JSON.parse(readFileSync(sharedImageRecord(inject("msfHome")), "utf8")) as SharedImage;
  } catch {
    return undefined; // not written yet (it is written whole: temp name, then rename)
  }
}

/**
 * Waits for the global setup's Debian 12 image, which it builds while the fast tests run. Every
 * VM test file waits here first (the real-vm project's setup file).
 */
export async function waitForSharedImage(timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let record = readSharedImage(); ; record = readSharedImage()) {
    if (record?.error) throw new Error(`the global setup could not build the Debian 12 image: ${record.error}`);
    if (record?.key) return;
    if (Date.now() > deadline) throw new Error(`the global setup's Debian 12 image was not built within ${timeoutMs / 60_000} min`);
    await sleep(1_000);
  }
}

/** The key of the shared Debian 12 image (release, -updates and -security as the archive served them). */
export function debian12Key(): string {
  const key = readSharedImage()?.key;
  if (!key) throw new Error("the shared Debian 12 image is not built yet: call waitForSharedImage() first");
  return key;
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
