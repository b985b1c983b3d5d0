import { join } from "node:path";
import { catalog } from "@msf/catalog";
import { checkSuites, type SuiteState, staleness, suiteStateOf } from "@msf/iso";
import { createSupervisor } from "@msf/supervisor";
import { makeGpgKey, makeTempDir, startHttpServer, type TestHttpServer } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A loopback mirror whose InRelease is signed by a key made here: the state msf reads is the signed one.
const key = makeGpgKey();
const stranger = makeGpgKey("someone else");
const temp = makeTempDir();
const supervisor = createSupervisor();
let mirror: TestHttpServer;
beforeAll(async () => {
  mirror = await startHttpServer();
});
afterAll(async () => {
  await mirror.close();
  key.remove();
  stranger.remove();
  temp.remove();
});

const hex = (c: string) => c.repeat(64);
function release(suite: string, packagesXz: string, extra = ""): string {
  return `Origin: Test\nSuite: oldstable\nCodename: ${suite}\nDate: Sat, 28 Nov 2026 02:53:00 UTC\n${extra}Architectures: amd64\nComponents: main\nSHA256:\n ${packagesXz} 1234 main/binary-amd64/Packages.xz\n ${hex("b")} 99 main/binary-all/Packages.xz\n ${hex("c")} 10 main/i18n/Translation-en.xz\n`;
}
const publish = (suite: string, text: string) => mirror.files.set(`/debian/dists/${suite}/InRelease`, { body: Buffer.from(text) });
const check = (suite: string, options: { refresh?: boolean; keys?: string[] } = {}) =>
  checkSuites([{ suite, mirror: `${mirror.url}/debian` }], { supervisor, cacheDir: join(temp.path, "suites"), keys: [key.publicKey], ...options }).then(
    ([state]) => state as SuiteState,
  );
const fetches = (suite: string) => mirror.requests.filter((r) => r.path === `/debian/dists/${suite}/InRelease`).length;

describe("suite state from the signed InRelease", () => {
  it("is one digest over the package indexes: unchanged while they are, new when one changes", async () => {
    publish("bookworm", key.clearsign(release("bookworm", hex("a"))));
    const first = await check("bookworm");
    expect(first).toMatchObject({ suite: "bookworm", codename: "bookworm", signedBy: key.fingerprint, date: "2026-11-28T02:53:00.000Z" });
    expect(Object.keys(first.indexes)).toEqual(["main/binary-amd64/Packages.xz", "main/binary-all/Packages.xz"]); // translations do not change the image

    // Checked minutes ago: the cached state, no request.
    expect((await check("bookworm")).digest).toBe(first.digest);
    expect(fetches("bookworm")).toBe(1);

    // Re-signed with a new date but the same packages: the same state.
    publish("bookworm", key.clearsign(release("bookworm", hex("a")).replace("02:53:00", "08:53:00")));
    expect((await check("bookworm", { refresh: true })).digest).toBe(first.digest);

    // A security update: the index changed, so the state (and the image key made from it) changes.
    publish("bookworm", key.clearsign(release("bookworm", hex("d"))));
    const updated = await check("bookworm", { refresh: true });
    expect(updated.digest).not.toBe(first.digest);
    expect(fetches("bookworm")).toBe(3);
  });

  it("refuses a Release signed by another key, or one for another suite served under this name", async () => {
    publish("trixie", stranger.clearsign(release("trixie", hex("a"))));
    await expect(check("trixie")).rejects.toMatchObject({ code: "ERR_MSF_SIGNATURE", message: expect.stringMatching(/not among the trusted keys/) });
    publish("trixie", key.clearsign(release("bookworm", hex("a"))));
    await expect(check("trixie")).rejects.toMatchObject({ code: "ERR_MSF_SIGNATURE", message: expect.stringMatching(/is for bookworm, not trixie/) });
    publish("trixie", key.clearsign(release("trixie", hex("a")).replace(/ \S+ 1234 main\/binary-amd64\/Packages.xz\n/, "")));
    await expect(check("trixie")).rejects.toMatchObject({ message: expect.stringMatching(/lists no main\/binary-amd64 package index/) });
  });

  it("says when a Release has expired (a stale mirror or a replayed file)", async () => {
    publish("forky", key.clearsign(release("forky", hex("a"), "Valid-Until: Fri, 06 Nov 2026 08:08:01 UTC\n")));
    const state = await check("forky");
    expect(staleness(state, new Date("2026-11-05T00:00:00Z"))).toBeUndefined();
    expect(staleness(state, new Date("2026-11-29T00:00:00Z"))).toMatch(/forky expired on 2026-11-06 \(published 2026-11-28\)/);
  });

  it("rejects a Release without a parsable Date", () => {
    const verified = { text: release("sid", hex("a")).replace(/^Date: .*\n/m, ""), fingerprint: key.fingerprint };
    expect(() => suiteStateOf({ suite: "sid", mirror: "http://m" }, verified, { components: ["main"], architecture: "amd64", checkedAt: new Date() })).toThrow(
      /no valid Date/,
    );
  });
});

describe("suite state of the default matrix on Debian's archive", () => {
  it("reads every suite the images are built from (release, -updates, -security), signed by Debian", async () => {
    const sources = catalog
      .filter((d) => ["debian-11", "debian-12", "debian-13"].includes(d.id))
      .flatMap((d) => (d.bootstrap ? [d.bootstrap, ...d.bootstrap.updates] : []));
    expect(sources).toHaveLength(9);
    const states = await checkSuites(sources, { supervisor, cacheDir: join(temp.path, "debian-suites") });
    for (const state of states) {
      expect(state.signedBy, state.suite).toMatch(/^[0-9A-F]{40}$/);
      expect(Object.keys(state.indexes), state.suite).toContain("main/binary-amd64/Packages.xz");
    }
    expect(new Set(states.map((s) => s.digest)).size).toBe(9);
  });
});
