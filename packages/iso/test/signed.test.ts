import { parseSums, releaseChecksums, verifySigned } from "@msf/iso";
import { createSupervisor } from "@msf/supervisor";
import { makeGpgKey } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// Real gpgv against a key made here: the signed text that comes back is only what the signature covers.
const key = makeGpgKey();
const stranger = makeGpgKey("someone else");
afterAll(() => {
  key.remove();
  stranger.remove();
});
const supervisor = createSupervisor();
const GOOD = "a".repeat(64);
const EVIL = "e".repeat(64);
const body = `SHA256:\n ${GOOD} 1234 main/binary-amd64/Packages.xz\n`;
const verify = (text: string | Buffer, signature?: Buffer) => verifySigned(supervisor, { text, signature, keys: [key.publicKey], what: "test file" });

describe("verifySigned (real gpgv)", () => {
  it("returns the signed text and the signer's fingerprint", async () => {
    const verified = await verify(key.clearsign(body));
    expect(verified).toEqual({ text: body, fingerprint: key.fingerprint });
    expect(releaseChecksums(verified.text).get("main/binary-amd64/Packages.xz")?.hex).toBe(GOOD);
  });

  it("accepts CRLF line ends (still a good signature)", async () => {
    const verified = await verify(key.clearsign(body).replace(/\n/g, "\r\n"));
    expect(releaseChecksums(verified.text).get("main/binary-amd64/Packages.xz")?.hex).toBe(GOOD);
  });

  it("refuses a forged block before the armor (gpgv alone accepts it)", async () => {
    const forged = `SHA256:\n ${EVIL} 1234 main/binary-amd64/Packages.xz\n\n${key.clearsign(body)}`;
    await expect(verify(forged)).rejects.toMatchObject({ code: "ERR_MSF_SIGNATURE", message: expect.stringMatching(/unsigned text before/) });
  });

  it("refuses CRLF plus a block appended after the signature", async () => {
    const forged = `${key.clearsign(`${GOOD}  disc.iso\n`).replace(/\n/g, "\r\n")}\n\n${EVIL}  disc.iso\n`;
    await expect(verify(forged)).rejects.toMatchObject({ code: "ERR_MSF_SIGNATURE", message: expect.stringMatching(/unsigned text after/) });
  });

  it("refuses two signed messages in one file", async () => {
    const two = `${key.clearsign(`${GOOD}  disc.iso\n`)}${key.clearsign(`${EVIL}  disc.iso\n`)}`;
    await expect(verify(two)).rejects.toMatchObject({ code: "ERR_MSF_SIGNATURE" });
  });

  it("undoes dash-escaping the way gpgv does: a line that looks like armor stays text", async () => {
    const tricky = `- not a list item\n-----BEGIN PGP SIGNATURE-----\n${GOOD}  disc.iso\n`;
    const verified = await verify(key.clearsign(tricky));
    expect(verified.text).toBe(tricky);
    expect(parseSums(verified.text)).toEqual([{ algo: "sha256", hex: GOOD, file: "disc.iso" }]);
  });

  it("refuses a changed body, another signer, and a detached signature over other bytes", async () => {
    await expect(verify(key.clearsign(body).replace(GOOD, EVIL))).rejects.toMatchObject({ message: expect.stringMatching(/BADSIG/) });
    await expect(verify(stranger.clearsign(body))).rejects.toMatchObject({ message: expect.stringMatching(/not among the trusted keys/) });
    const sums = `${GOOD}  disc.iso\n`;
    expect((await verify(sums, key.detachSign(sums))).text).toBe(sums);
    await expect(verify(`${EVIL}  disc.iso\n`, key.detachSign(sums))).rejects.toMatchObject({ code: "ERR_MSF_SIGNATURE" });
  });

  it("holds the signer to the expected fingerprint", async () => {
    const check = { text: key.clearsign(body), keys: [key.publicKey, stranger.publicKey], what: "test file" };
    await expect(verifySigned(supervisor, { ...check, fingerprints: [stranger.fingerprint] })).rejects.toMatchObject({
      message: expect.stringMatching(/not by the catalog's key/),
    });
    expect((await verifySigned(supervisor, { ...check, fingerprints: [key.fingerprint] })).fingerprint).toBe(key.fingerprint);
  });
});
