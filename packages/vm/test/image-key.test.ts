import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { checkSuites } from "@msf/iso";
import { bootstrapKey, recipeSuites } from "@msf/preseed";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir, type SignedArchive, startSignedArchive } from "@msf/test-utils";
import { imageRecipeFor } from "@msf/vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The image key follows the archive: a loopback mirror of the three suites Debian 12 is built from,
// signed by a key made here; between two plans one suite's InRelease changes (a security update).
const temp = makeTempDir();
let archive: SignedArchive;
beforeAll(async () => {
  archive = await startSignedArchive("msf test archive");
});
afterAll(async () => {
  await archive.close();
  temp.remove();
});

const debian12 = findDistribution("debian-12");
if (!debian12?.bootstrap) throw new Error("debian-12 missing from the catalog");
const recipe = imageRecipeFor(debian12);

/** What `msf run` does at plan time: the state of each suite (checked again, not from the cache), then the image key. */
async function plan(): Promise<string> {
  const local = {
    ...recipe,
    mirror: archive.url,
    updates: ["bookworm-updates", "bookworm-security"].map((suite) => ({ suite, mirror: archive.url })),
  };
  const states = await checkSuites(recipeSuites(local), {
    supervisor: createSupervisor(),
    cacheDir: join(temp.path, "suites"),
    keys: [archive.key.publicKey],
    refresh: true,
  });
  return bootstrapKey(local, states);
}

describe("the image key follows the signed state of the archive", () => {
  it("is the same while nothing changed, and new once a security update is published", async () => {
    archive.publish("bookworm", "a");
    archive.publish("bookworm-updates", "b");
    archive.publish("bookworm-security", "c");
    const first = await plan();
    expect(await plan()).toBe(first);
    archive.publish("bookworm-security", "d");
    const afterUpdate = await plan();
    expect(afterUpdate).not.toBe(first);
  });
});
