import { clearsignedProblem, linkedNames, packageStanza, parseChecksum, parseSums, releaseChecksums } from "@msf/iso";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Property tests for every parser of outside data in @msf/iso: whatever a mirror sends, a clear
// error or a correct value, never a crash (and a hang cannot happen: they are pure and linear).
const hex = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });
const fileName = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789.-_"), minLength: 1, maxLength: 40 });
const junk = fc.string({ unit: "binary", maxLength: 2_000 });

describe("checksum files (SUMS, CHECKSUM)", () => {
  it("never throw, and every entry they yield is well formed", () => {
    fc.assert(
      fc.property(junk, (text) => {
        for (const entry of parseSums(text))
          expect(entry.hex).toMatch({ sha256: /^[0-9a-f]{64}$/, sha512: /^[0-9a-f]{128}$/, sha1: /^[0-9a-f]{40}$/, md5: /^[0-9a-f]{32}$/ }[entry.algo]);
      }),
    );
  });

  it("find every listed file, in GNU or BSD form, among any other lines", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hex(64), fileName, fc.boolean()), { minLength: 1, maxLength: 20 }),
        fc.array(
          junk.map((j) => j.replace(/[0-9a-f]{32}/g, "")),
          { maxLength: 5 },
        ),
        (files, noise) => {
          const lines = files.map(([h, f, bsd]) => (bsd ? `SHA256 (${f}) = ${h}` : `${h}  ${f}`));
          const entries = parseSums([...noise, ...lines].join("\n"));
          for (const [h, f] of files) expect(entries.some((e) => e.file === f && e.hex === h && e.algo === "sha256")).toBe(true);
        },
      ),
    );
  });

  it("parseChecksum: a checksum or an MsfError naming the expected form", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          junk,
          hex(64),
          hex(64).map((h) => `sha256:${h}`),
        ),
        (text) => {
          try {
            const checksum = parseChecksum(text);
            expect(checksum.hex).toMatch(/^[0-9a-f]+$/);
          } catch (error) {
            expect(error).toMatchObject({ code: "ERR_MSF_USAGE", message: expect.stringMatching(/expected sha256:/) });
          }
        },
      ),
    );
  });
});

describe("Debian archive indexes (InRelease, Packages)", () => {
  it("releaseChecksums never throws and yields only sha256 digests with integer sizes", () => {
    fc.assert(
      fc.property(junk, (text) => {
        for (const [path, entry] of releaseChecksums(`SHA256:\n${text}`)) {
          expect(path.length).toBeGreaterThan(0);
          expect(entry.hex).toMatch(/^[0-9a-f]{64}$/);
          expect(Number.isInteger(entry.size)).toBe(true);
        }
      }),
    );
  });

  it("releaseChecksums finds what its SHA256 section lists", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hex(64), fc.nat(), fileName), { minLength: 1, maxLength: 30 }), (rows) => {
        const text = `Origin: Debian\nMD5Sum:\n ${"0".repeat(32)} 1 x\nSHA256:\n${rows.map(([h, size, path]) => ` ${h} ${size} main/${path}`).join("\n")}\n`;
        const parsed = releaseChecksums(text);
        const last = new Map(rows.map(([h, size, path]) => [`main/${path}`, { hex: h, size }]));
        for (const [path, entry] of last) expect(parsed.get(path)).toEqual(entry);
      }),
    );
  });

  it("packageStanza never throws, and finds a package among others", () => {
    fc.assert(
      fc.property(junk, fileName, (text, name) => {
        packageStanza(text, name);
        const stanza = packageStanza(`${text}\n\nPackage: ${name}\nVersion: 1.0\nSHA256: ${"a".repeat(64)}\n\nPackage: other\n`, name);
        expect(stanza).toMatchObject({ Version: "1.0", SHA256: "a".repeat(64) });
      }),
    );
  });
});

describe("signed files and directory indexes", () => {
  it("clearsignedProblem never throws, and refuses any text before the armor", () => {
    const armor = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nbody\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----";
    fc.assert(
      fc.property(junk, junk, (before, after) => {
        clearsignedProblem(`${before}${armor}${after}`);
        if (before.trim()) expect(clearsignedProblem(`${before}\n${armor}`)).toBeDefined();
        if (after.trim()) expect(clearsignedProblem(`${armor}\n${after}`)).toBeDefined();
      }),
    );
  });

  it("linkedNames never throws, even on malformed escapes, and never yields a path", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fileName, junk, fc.constantFrom("%E0%A4%A", "%2F", "..%2Fetc")), { maxLength: 10 }), (names) => {
        const html = names.map((n) => `<a href="${n}">x</a>`).join("");
        for (const name of linkedNames(html)) expect(name).not.toContain("/");
      }),
    );
  });
});
