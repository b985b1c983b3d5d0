import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { overlayServices, readOverlay } from "../src/deploy/overlay.ts";

describe("an overlay of the user's own configuration", () => {
  let temp: ReturnType<typeof makeTempDir>;
  afterEach(() => temp.remove());
  const tree = (files: Record<string, string | Buffer>) => {
    temp = makeTempDir();
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(temp.path, path, ".."), { recursive: true });
      writeFileSync(join(temp.path, path), content);
    }
    return temp.path;
  };

  it("is read as root-owned files under /etc, and names the services to restart", async () => {
    const dir = tree({ "etc/dovecot/conf.d/90-local.conf": "mail_location = maildir:~/Maildir\n", "etc/postfix/main.cf.d/x": "y\n" });
    const files = await readOverlay(dir);
    expect(files).toEqual([
      { path: "/etc/dovecot/conf.d/90-local.conf", content: "mail_location = maildir:~/Maildir\n", mode: 0o644, owner: "root", group: "root" },
      { path: "/etc/postfix/main.cf.d/x", content: "y\n", mode: 0o644, owner: "root", group: "root" },
    ]);
    expect(overlayServices(files)).toEqual(["postfix", "dovecot"]);
  });

  it("refuses a link, a file outside /etc and a binary file, naming each", async () => {
    const withLink = tree({ "etc/dovecot/a.conf": "x\n" });
    symlinkSync("/etc/shadow", join(withLink, "etc/dovecot/b.conf"));
    await expect(readOverlay(withLink)).rejects.toThrow(/\/etc\/dovecot\/b\.conf is not a regular file/);
    temp.remove();
    await expect(readOverlay(tree({ "usr/bin/sh": "#!/bin/sh\n" }))).rejects.toThrow(/\/usr\/bin\/sh is outside \/etc/);
    temp.remove();
    await expect(readOverlay(tree({ "etc/x.bin": Buffer.from([0xff, 0xfe, 0x00]) }))).rejects.toThrow(/\/etc\/x\.bin is not UTF-8 text/);
    temp.remove();
    await expect(readOverlay(tree({ "etc/a": "x" }) + "/missing")).rejects.toThrow(/is not a directory/);
  });
});
