import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { checkSuites } from "@msf/iso";
import { bootstrapKey, recipeSuites } from "@msf/preseed";
import { createSupervisor } from "@msf/supervisor";
import { makeGpgKey, makeTempDir, startHttpServer, type TestHttpServer } from "@msf/test-utils";
import { imageRecipeFor } from "@msf/vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The image key follows the archive: a loopback mirror of the three suites Debian 12 is built from,
// signed by a key made here; between two plans one suite's InRelease changes (a security update).
const key = makeGpgKey("msf test archive");
const temp = makeTempDir();
let mirror: TestHttpServer;
beforeAll(async () => {
  mirror = await startHttpServer();
});
afterAll(async () => {
  await mirror.close();
  key.remove();
  temp.remove();
});

const debian12 = findDistribution("debian-12");
if (!debian12?.bootstrap) throw new Error("debian-12 missing from the catalog");
const recipe = imageRecipeFor(debian12);

function publish(suite: string, packagesHex: string): void {
  const release = `Suite: ${suite}\nCodename: ${suite}\nDate: Sat, 28 Nov 2026 02:53:00 UTC\nSHA256:\n ${packagesHex.repeat(64)} 4096 main/binary-amd64/Packages.xz\n`;
  mirror.files.set(`/debian/dists/${suite}/InRelease`, { body: Buffer.from(key.clearsign(release)) });
}

/** What `msf run` does at plan time: the state of each suite (checked again, not from the cache), then the image key. */
async function plan(): Promise<string> {
  const local = {
    ...recipe,
    mirror: `${mirror.url}/debian`,
    updates: ["bookworm-updates", "bookworm-security"].map((suite) => ({ suite, mirror: `${mirror.url}/debian` })),
  };
  const states = await checkSuites(recipeSuites(local), {
    supervisor: createSupervisor(),
    cacheDir: join(temp.path, "suites"),
    keys: [key.publicKey],
    refresh: true,
  });
  return bootstrapKey(local, states);
}

describe("the image key follows the signed state of the archive", () => {
  it("is the same while nothing changed, and new once a security update is published", async () => {
    publish("bookworm", "a");
    publish("bookworm-updates", "b");
    publish("bookworm-security", "c");
    const first = await plan();
    expect(await plan()).toBe(first);
    publish("bookworm-security", "d");
    const afterUpdate = await plan();
    expect(afterUpdate).not.toBe(first);
  });
});
