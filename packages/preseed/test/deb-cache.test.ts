import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { debFileName, keepDebs, stageDebCache } from "@msf/preseed";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir>;
afterEach(() => temp.remove());

const postfix1 = { name: "postfix", version: "3.7.10-0+deb12u1", architecture: "amd64" };
const postfix2 = { name: "postfix", version: "3.7.11-0+deb12u1", architecture: "amd64" };
const dovecot = { name: "dovecot-core", version: "1:2.3.19.1+dfsg1-2.1+deb12u1", architecture: "amd64" };

/** A build's sync-out directory: the .debs apt left in /var/cache/apt/archives. */
function syncOut(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

describe("the host's package cache for image builds", () => {
  it("keeps what a build installed and hands it to the next build; a newer version replaces the older", async () => {
    temp = makeTempDir();
    const cache = join(temp.path, "debs");
    expect(debFileName(dovecot)).toBe("dovecot-core_1%3a2.3.19.1+dfsg1-2.1+deb12u1_amd64.deb");
    const first = syncOut(join(temp.path, "out1"), {
      [debFileName(postfix1)]: "postfix 1",
      [debFileName(dovecot)]: "dovecot",
      "stray_1_amd64.deb": "not installed",
    });
    expect(await keepDebs(cache, first, [postfix1, dovecot])).toEqual({ added: 2, removed: 0 });
    expect(
      readdirSync(cache)
        .filter((f) => f.endsWith(".deb"))
        .sort(),
    ).toEqual([debFileName(dovecot), debFileName(postfix1)]);

    const staged = await stageDebCache(cache, join(temp.path, "in2"));
    expect(staged).toMatchObject({ files: 2, dropped: [] });
    expect(readFileSync(join(temp.path, "in2", debFileName(postfix1)), "utf8")).toBe("postfix 1");

    // A security update of postfix: only its .deb was downloaded; the old version leaves the cache.
    const second = syncOut(join(temp.path, "out2"), { [debFileName(postfix2)]: "postfix 2", [debFileName(dovecot)]: "dovecot" });
    expect(await keepDebs(cache, second, [postfix2, dovecot])).toEqual({ added: 1, removed: 1 });
    expect(existsSync(join(cache, debFileName(postfix1)))).toBe(false);
  });

  it("never hands on a file that changed since it was kept: it is dropped, and the build downloads it again", async () => {
    temp = makeTempDir();
    const cache = join(temp.path, "debs");
    await keepDebs(cache, syncOut(join(temp.path, "out"), { [debFileName(postfix1)]: "postfix 1", [debFileName(dovecot)]: "dovecot" }), [postfix1, dovecot]);
    writeFileSync(join(cache, debFileName(postfix1)), "postfix X"); // same size, other bytes
    const staged = await stageDebCache(cache, join(temp.path, "in"));
    expect(staged).toMatchObject({ files: 1, dropped: [debFileName(postfix1)] });
    expect(readdirSync(join(temp.path, "in"))).toEqual([debFileName(dovecot)]);
    expect(existsSync(join(cache, debFileName(postfix1)))).toBe(false);
  });
});
