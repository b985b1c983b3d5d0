import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveMsfPaths } from "@msf/core";
import { publishImage, writePin } from "@msf/qemu";
import { Journal } from "@msf/run";
import { makeTempDir, writeReadySnapshot } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// Three images of one distribution: the oldest pinned as last known good, the middle one used by a
// run that has not finished (it may be resumed), the newest used by nothing.
const temp = makeTempDir();
afterAll(() => temp.remove());
const env = { ...process.env, MSF_HOME: temp.path };
const paths = resolveMsfPaths({ env });
const KEYS = { pinned: "aaaaaaaaaaaaaaaa", inUse: "bbbbbbbbbbbbbbbb", free: "cccccccccccccccc" };

async function image(key: string): Promise<void> {
  const work = join(temp.path, "work", key);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "disk.qcow2"), `disk ${key}`);
  const packages = [{ name: "postfix", version: `3.7.${key.length}-${key[0]}`, architecture: "amd64" }];
  await publishImage({
    imagesDir: paths.images,
    distro: "debian-12",
    key,
    files: { disk: join(work, "disk.qcow2") },
    manifest: { buildMs: 1, recipe: { kind: "bootstrap", identity: `recipe-${key[0]}` }, append: "", sshUser: "root", packages },
  });
  await new Promise((resolve) => setTimeout(resolve, 5)); // distinct build times
}

describe("msf images", () => {
  it("lists each image with its versions, whether it is pinned, its last run and who uses it", async () => {
    for (const key of Object.values(KEYS)) await image(key);
    await writePin(paths.images, { distro: "debian-12", key: KEYS.pinned, runId: "20261128T100000-aaaa", packages: [] });
    const journal = await Journal.open(join(paths.runs, "20261129T100000-bbbb", "journal.ndjson"));
    await journal.append({ type: "run-started", at: 1, runId: "20261129T100000-bbbb", matrix: ["debian-12"], tasks: ["debian-12:install"], resumed: false });
    await journal.append({
      type: "task-finished",
      at: 2,
      task: "debian-12:install",
      status: "done",
      durationMs: 1,
      outputs: { key: KEYS.inUse, imageDir: "x" },
    });
    await journal.close();

    const list = await runMsfInProcess(["images", "list", "--json"], env);
    expect(list.code, list.stderr).toBe(0);
    const rows = list.last?.images as Array<{
      key: string;
      pinned: boolean;
      usedBy: string[];
      lastRun?: string;
      stack: Array<{ component: string; version?: string }>;
    }>;
    expect(rows.map((r) => r.key)).toEqual([KEYS.free, KEYS.inUse, KEYS.pinned]);
    expect(rows.find((r) => r.key === KEYS.pinned)).toMatchObject({ pinned: true, usedBy: [] });
    expect(rows.find((r) => r.key === KEYS.inUse)).toMatchObject({ pinned: false, usedBy: ["run 20261129T100000-bbbb"], lastRun: "20261129T100000-bbbb" });
    expect(rows[0]?.stack.find((v) => v.component === "postfix")?.version).toBe("3.7.16-c");
    const human = await runMsfInProcess(["images", "list"], env);
    expect(human.stdout).toMatch(new RegExp(`debian-12 +${KEYS.pinned} .*postfix 3\\.7\\.16-a .*last-good`));
  });

  it("gc --keep 0 removes only what no one needs; --dry-run removes nothing; other distributions are left alone", async () => {
    const other = await runMsfInProcess(["images", "gc", "debian-11", "--keep", "0", "--json"], env);
    expect(other.last?.removed).toEqual([]);
    const dry = await runMsfInProcess(["images", "gc", "--keep", "0", "--dry-run"], env);
    expect(dry.stdout).toContain(`would remove debian-12 ${KEYS.free}`);
    expect(existsSync(join(paths.images, "debian-12", KEYS.free))).toBe(true);

    // Kept build trees: one of the pinned image's recipe, one of the removed image's recipe.
    for (const tree of [".tree-recipe-a", ".tree-recipe-c"]) mkdirSync(join(paths.images, "debian-12", tree, "root"), { recursive: true });
    // Ready snapshots over the pinned image and over the one gc removes.
    const snapshots = Object.fromEntries(
      [KEYS.pinned, KEYS.free].map((key) => [key, writeReadySnapshot(paths.cache, { key: `${key.slice(0, 8)}00000000`, imageKey: key })]),
    );
    const gc = await runMsfInProcess(["images", "gc", "--keep", "0", "--json"], env);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.last?.removedTrees).toEqual([join(paths.images, "debian-12", ".tree-recipe-c")]);
    expect(existsSync(join(paths.images, "debian-12", ".tree-recipe-a"))).toBe(true);
    expect(existsSync(join(paths.images, "debian-12", ".tree-recipe-c"))).toBe(false);
    expect((gc.last?.removed as Array<{ key: string }> | undefined)?.map((r) => r.key)).toEqual([KEYS.free]);
    expect(gc.last?.removedSnapshots).toEqual([snapshots[KEYS.free]]);
    expect(existsSync(join(snapshots[KEYS.pinned] as string, "manifest.json"))).toBe(true);
    expect(existsSync(join(paths.images, "debian-12", KEYS.free))).toBe(false);
    for (const key of [KEYS.pinned, KEYS.inUse]) expect(existsSync(join(paths.images, "debian-12", key, "manifest.json")), key).toBe(true);
  });

  it("refuses a bad --keep, naming it", async () => {
    const bad = await runMsfInProcess(["images", "gc", "--keep", "-1"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep: expected 0 or more/);
    const unknown = await runMsfInProcess(["images", "list", "debian-99"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown distribution debian-99");
  });
});
