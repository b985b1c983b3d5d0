import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dkimRecordFromSpki, dkimTags, opendkimKeyPath, rspamdKeyPath } from "../src/checks/dkim-key.ts";

describe("finding a DKIM key the way a receiving server does", () => {
  it("reads d= and s= from a folded DKIM-Signature header", () => {
    const header = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test;\r\n\ts=mail2025; t=1; h=from:to;\r\n\tbh=abc=; b=xyz";
    expect(dkimTags(header)).toMatchObject({ v: "1", d: "example.test", s: "mail2025", bh: "abc=" });
  });

  it("finds the signer's key file in Rspamd's and OpenDKIM's configuration", () => {
    const dump = 'sign_authenticated = true;\npath = "/var/lib/rspamd/dkim/$domain.$selector.key";\nselector = "msf";\n';
    expect(rspamdKeyPath(dump, "example.test", "msf")).toBe("/var/lib/rspamd/dkim/example.test.msf.key");
    const table = "msf._domainkey.example.test example.test:msf:/etc/opendkim/keys/example.test/msf.private\nother._domainkey.x x:other:/k\n";
    expect(opendkimKeyPath(table, "example.test", "msf")).toBe("/etc/opendkim/keys/example.test/msf.private");
    expect(opendkimKeyPath(table, "example.test", "nope")).toBeUndefined();
  });

  it("publishes RSA keys as SubjectPublicKeyInfo and Ed25519 keys as their raw 32 bytes", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "der" });
    expect(dkimRecordFromSpki(rsa)).toBe(`v=DKIM1; k=rsa; p=${rsa.toString("base64")}`);
    const ed = generateKeyPairSync("ed25519").publicKey;
    const raw = Buffer.from(ed.export({ format: "jwk" }).x ?? "", "base64url");
    expect(dkimRecordFromSpki(ed.export({ type: "spki", format: "der" }))).toBe(`v=DKIM1; k=ed25519; p=${raw.toString("base64")}`);
  });
});
