import {
  checksumFor,
  clearsignedProblem,
  dearmor,
  linkedNames,
  newestMatch,
  packageStanza,
  parseChecksum,
  parseGpgvStatus,
  parseSums,
  releaseChecksums,
} from "@msf/iso";
import { describe, expect, it } from "vitest";

const A = "a".repeat(64);
const B = "b".repeat(64);

describe("checksum files", () => {
  it("reads GNU (text and binary mode), BSD, and openSUSE's one-line .sha256", () => {
    expect(parseSums(`${A}  ubuntu-24.04.3-live-server-amd64.iso\n${B} *ubuntu-24.04.3-desktop-amd64.iso\n`)).toEqual([
      { algo: "sha256", hex: A, file: "ubuntu-24.04.3-live-server-amd64.iso" },
      { algo: "sha256", hex: B, file: "ubuntu-24.04.3-desktop-amd64.iso" },
    ]);
    expect(parseSums(`SHA256 (Fedora-Server-dvd-x86_64-41-1.4.iso) = ${A.toUpperCase()}\n`)).toEqual([
      { algo: "sha256", hex: A, file: "Fedora-Server-dvd-x86_64-41-1.4.iso" },
    ]);
    expect(parseSums(`${"c".repeat(128)}  big.iso`)[0]?.algo).toBe("sha512");
  });

  it("reads the lines of a clearsigned CHECKSUM file as gpgv writes out its signed text, and refuses text outside the armor", () => {
    const signed = [
      "-----BEGIN PGP SIGNED MESSAGE-----",
      "Hash: SHA256",
      "",
      "# Fedora-Server-dvd-x86_64-41-1.4.iso: 2612854784 bytes",
      `SHA256 (Fedora-Server-dvd-x86_64-41-1.4.iso) = ${A}`,
      "- --- a dash-escaped line",
      "-----BEGIN PGP SIGNATURE-----",
      "",
      "iQIzBAEBCAAdFiEE",
      "-----END PGP SIGNATURE-----",
    ].join("\n");
    expect(clearsignedProblem(signed)).toBeUndefined();
    expect(clearsignedProblem(`\n${signed}\r\n\n`)).toBeUndefined();
    expect(clearsignedProblem(`${B}  evil.iso\n${signed}`)).toMatch(/unsigned text before/);
    expect(clearsignedProblem(`${signed}\r\n\r\n${B}  evil.iso\n`)).toMatch(/unsigned text after/);
    expect(clearsignedProblem(`${signed}\n${signed}`)).toMatch(/2 signed messages/);
    expect(parseSums(`# Fedora-Server-dvd-x86_64-41-1.4.iso: 2612854784 bytes\nSHA256 (Fedora-Server-dvd-x86_64-41-1.4.iso) = ${A}\n`)).toEqual([
      { algo: "sha256", hex: A, file: "Fedora-Server-dvd-x86_64-41-1.4.iso" },
    ]);
  });

  it("prefers the strongest checksum of a file and finds nothing for an unlisted one", () => {
    const entries = parseSums(`SHA1 (x.iso) = ${"d".repeat(40)}\nSHA256 (x.iso) = ${A}\n`);
    expect(checksumFor(entries, "x.iso")?.algo).toBe("sha256");
    expect(checksumFor(entries, "y.iso")).toBeUndefined();
  });

  it("parses sha256:HEX and names the expected form otherwise", () => {
    expect(parseChecksum(`sha256:${A}`)).toEqual({ algo: "sha256", hex: A });
    expect(parseChecksum(A.toUpperCase())).toEqual({ algo: "sha256", hex: A });
    expect(() => parseChecksum("sha256:abc")).toThrow(/expected sha256:<64 hex digits>/);
  });
});

describe("archive indexes and directory listings", () => {
  it("reads the SHA256 section of a Release file and a package stanza", () => {
    const release = `Origin: Debian\nMD5Sum:\n 00 1 main/x\nSHA256:\n ${A} 9413992 main/binary-amd64/Packages.xz\n ${B} 123 main/binary-amd64/Release\n`;
    expect(releaseChecksums(release).get("main/binary-amd64/Packages.xz")).toEqual({ hex: A, size: 9413992 });
    const packages = `Package: foo\nVersion: 1\n\nPackage: debian-installer-12-netboot-amd64\nVersion: 20230607+deb12u15\nFilename: pool/main/d/x.deb\nSHA256: ${B}\n`;
    expect(packageStanza(packages, "debian-installer-12-netboot-amd64")).toMatchObject({ Filename: "pool/main/d/x.deb", SHA256: B });
  });

  it("finds the newest file matching a pattern in an index page, version-aware", () => {
    const html = '<a href="Fedora-Server-41-1.4-x86_64-CHECKSUM">x</a><a href="Fedora-Server-41-1.10-x86_64-CHECKSUM">y</a><a href="../">up</a>';
    const names = linkedNames(html);
    expect(newestMatch(names, "Fedora-Server-41-[\\d.]+-x86_64-CHECKSUM")).toBe("Fedora-Server-41-1.10-x86_64-CHECKSUM");
  });
});

describe("OpenPGP helpers", () => {
  it("dearmors a key block (header lines and CRC line skipped)", () => {
    const armored = `-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\n${Buffer.from("hello keyring").toString("base64")}\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n`;
    expect(dearmor(armored).toString()).toBe("hello keyring");
    expect(() => dearmor("nothing")).toThrow(/no PGP public key block/);
  });

  it("reads gpgv's status: good, bad, unknown key", () => {
    const fpr = "DF9B9C49EAA9298432589D76DA87E80D6294BE9B";
    const sub = "0".repeat(24) + "DA87E80D6294BE9B";
    expect(parseGpgvStatus(`[GNUPG:] GOODSIG DA87E80D6294BE9B Debian CD\n[GNUPG:] VALIDSIG ${sub} 2026-01-01 1 0 4 0 1 10 00 ${fpr}\n`)).toEqual({
      good: true,
      fingerprint: fpr,
      signingKey: sub,
    });
    expect(parseGpgvStatus("[GNUPG:] BADSIG DA87E80D6294BE9B Debian CD\n").good).toBe(false);
    expect(parseGpgvStatus("[GNUPG:] ERRSIG 1234 1 10 00 1 9\n[GNUPG:] NO_PUBKEY 1234\n").problem).toMatch(/not among the trusted keys/);
    // gpgv choking on a second message after a good first one is never good (several signatures over one text are: Debian's InRelease has three).
    const good = `[GNUPG:] GOODSIG DA87E80D6294BE9B Debian CD\n[GNUPG:] VALIDSIG ${sub} 2026-01-01 1 0 4 0 1 10 00 ${fpr}\n`;
    expect(parseGpgvStatus(`${good}${good}`).good).toBe(true);
    expect(parseGpgvStatus(`${good}[GNUPG:] ERROR proc_pkt.plaintext 89_BAD_DATA\n`).good).toBe(false);
  });
});
