import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog, DistributionSchema, findDistribution, lifecycleOf, nextMatrix, seedMatrix } from "@msf/catalog";
import { afterAll, describe, expect, it } from "vitest";

const keysDir = join(import.meta.dirname, "..", "keys");
const home = mkdtempSync(join(tmpdir(), "msf-gnupg-")); // gpg wants a home of its own, even to list keys
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("catalog", () => {
  it("has unique ids and every entry passes the schema", () => {
    const ids = catalog.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of catalog) expect(DistributionSchema.safeParse(entry).success).toBe(true);
  });

  it("keeps every row of the original 12-distribution matrix", () => {
    expect(seedMatrix().map((d) => d.id)).toEqual([
      "debian-11",
      "debian-12",
      "ubuntu-20.04",
      "ubuntu-22.04",
      "ubuntu-24.04",
      "fedora-38",
      "fedora-39",
      "fedora-40",
      "fedora-41",
      "rhel-9",
      "almalinux-9",
      "rocky-9",
      "opensuse-15.6",
    ]);
  });

  it("adds the current releases, and dates every end of life", () => {
    for (const id of ["debian-13", "ubuntu-26.04", "fedora-43", "fedora-44", "rhel-10", "almalinux-10", "rocky-10", "opensuse-16.0"])
      expect(findDistribution(id), id).toBeDefined();
    for (const entry of catalog) expect(entry.movingTarget || Boolean(entry.endOfLife), `${entry.id} has an end-of-life date`).toBe(true);
    const ended = (on: string) => catalog.filter((d) => lifecycleOf(d, new Date(on)).state === "ended").map((d) => d.id);
    expect(ended("2026-11-29")).toEqual(["debian-11", "ubuntu-20.04", "fedora-38", "fedora-39", "fedora-40", "fedora-41", "fedora-42", "opensuse-15.6"]);
    expect(ended("2026-04-30")).not.toContain("opensuse-15.6"); // the last day is still supported
    expect(lifecycleOf(findDistribution("debian-12") as never, new Date("2026-11-29")).note).toBe("supported until 2028-06-30");
  });

  it("builds Debian from what production runs: the release, its -updates and its -security suites", () => {
    expect(findDistribution("debian-12")?.bootstrap).toEqual({
      suite: "bookworm",
      mirror: "http://deb.debian.org/debian",
      updates: [
        { suite: "bookworm-updates", mirror: "http://deb.debian.org/debian" },
        { suite: "bookworm-security", mirror: "http://deb.debian.org/debian-security" },
      ],
    });
  });

  it("has Debian testing and unstable, from the archive, as the moving targets of the next matrix", () => {
    expect(nextMatrix().map((d) => [d.id, d.bootstrap?.suite, d.installer])).toEqual([
      ["debian-testing", "forky", "bootstrap"],
      ["debian-unstable", "sid", "bootstrap"],
    ]);
    expect(lifecycleOf(nextMatrix()[0] as never).state).toBe("moving");
  });

  it("names, for every signed medium, a key file that holds the fingerprint", () => {
    for (const entry of catalog) {
      for (const key of entry.media?.keys ?? []) {
        const path = join(keysDir, key.file);
        expect(existsSync(path), `${entry.id}: ${key.file}`).toBe(true);
        const listing = execFileSync("gpg", ["--show-keys", "--with-colons", path], {
          env: { ...process.env, GNUPGHOME: home },
          stdio: ["ignore", "pipe", "ignore"],
        }).toString();
        expect(listing, `${entry.id}: ${key.fingerprint} in ${key.file}`).toContain(`:${key.fingerprint}:`);
      }
    }
  });

  it("says how each distribution is installed: media with a boot path, the archive, or the user's own ISO", () => {
    for (const entry of catalog) {
      expect(entry.media?.boot.kernel ?? entry.bootstrap?.suite, entry.id).toBeTruthy();
      if (entry.media && !entry.userProvided) expect(entry.media.keys.length, `${entry.id} must verify its checksums`).toBeGreaterThan(0);
    }
    expect(findDistribution("rhel-9")?.userProvided?.instructions).toMatch(/access\.redhat\.com.*msf iso fetch rhel-9 --url file:/);
    expect(findDistribution("debian-12")?.bootstrap?.suite).toBe("bookworm");
  });

  it("rejects an entry with a malformed id, naming the key", () => {
    const result = DistributionSchema.safeParse({ ...findDistribution("debian-12"), id: "Debian 12" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["id"]);
  });
});
