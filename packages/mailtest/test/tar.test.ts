import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tarArchive } from "../src/deploy/tar.ts";
import { file } from "../src/recipe/inputs.ts";

describe("tarArchive", () => {
  it("makes an archive GNU tar lists with the right names, modes, owners and contents", () => {
    const archive = tarArchive([
      file("/etc/postfix/pgsql/domains.cf", "secret=1\n", { mode: 0o640, group: "postfix" }),
      file(`/etc/${"deep/".repeat(25)}name.conf`, "x".repeat(1000)),
    ]);
    expect(archive.length % 512).toBe(0);
    const listing = execFileSync("tar", ["-tvf", "-"], { input: archive }).toString();
    expect(listing).toMatch(/^-rw-r----- root\/postfix\s+9 .* etc\/postfix\/pgsql\/domains\.cf$/m);
    expect(listing).toMatch(/^-rw-r--r-- root\/root\s+1000 .* etc\/(deep\/){25}name\.conf$/m);
    expect(execFileSync("tar", ["-xOf", "-", "etc/postfix/pgsql/domains.cf"], { input: archive }).toString()).toBe("secret=1\n");
  });
});
