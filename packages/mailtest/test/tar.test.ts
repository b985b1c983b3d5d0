import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tarArchive, UNPACK_OVER_ROOT } from "../src/deploy/tar.ts";
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

  it("unpacks, as the guest does, with each file's time the time it was written (a rotated key must look new)", () => {
    const root = mkdtempSync(join(tmpdir(), "msf-unpack-"));
    try {
      const before = Date.now() - 1_000;
      // The guest's argv, over a temporary directory instead of /.
      const args = UNPACK_OVER_ROOT.slice(1).map((arg) => (arg === "/" ? root : arg));
      execFileSync(UNPACK_OVER_ROOT[0], args, { input: tarArchive([file("/var/lib/rspamd/dkim/msf.test.msf.key", "key\n", { mode: 0o600 })]) });
      expect(statSync(join(root, "var/lib/rspamd/dkim/msf.test.msf.key")).mtimeMs).toBeGreaterThan(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
