import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, parseRunConfig, planRun, type RunStatus, restoreFinished, type TaskState } from "@msf/orchestrator";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

const plan = planRun({ config: parseRunConfig({ matrix: ["debian-12"] }), host: { memoryMiB: 24_576, cpus: 2, accel: "tcg" } });

/** A run whose debian-12 finished install, archive and boot, then stopped (its VM is not running). */
function status(imageDir: string): RunStatus {
  const done = (outputs: Record<string, unknown> = {}) => ({ state: "done" as const, durationMs: 1, outputs });
  return {
    status: "interrupted",
    tasks: { "debian-12:install": done({ imageDir, key: "k" }), "debian-12:archive": done(), "debian-12:boot": done({ vm: "run-debian-12" }) },
  };
}

async function restored(imageDir: string): Promise<string[]> {
  const ctx = createContext({ env: { MSF_HOME: join(temp?.path as string, "home") } });
  const states = new Map<string, TaskState>();
  await restoreFinished(ctx, plan, status(imageDir), states, new Map());
  return [...states].filter(([, state]) => state === "done").map(([id]) => id);
}

describe("resuming a run", () => {
  it("keeps the install while its golden image is there, and redoes boot when the VM is gone", async () => {
    temp = makeTempDir();
    const imageDir = join(temp.path, "images/debian-12/k");
    mkdirSync(imageDir, { recursive: true });
    writeFileSync(join(imageDir, "manifest.json"), "{}");
    expect(await restored(imageDir)).toEqual(["debian-12:install", "debian-12:archive"]);
  });

  it("goes back to install when the golden image is gone", async () => {
    temp = makeTempDir();
    expect(await restored(join(temp.path, "images/debian-12/gone"))).toEqual([]);
  });
});
