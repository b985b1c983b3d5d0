import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { secretFiles } from "../src/deploy/rotate.ts";
import { clamavFiles, EICAR, uniqueEicar } from "../src/recipe/clamav.ts";
import { dovecotFiles } from "../src/recipe/dovecot.ts";
import type { PackageFamily } from "../src/recipe/families.ts";
import { recipeFingerprint } from "../src/recipe/fingerprint.ts";
import type { StackInputs } from "../src/recipe/inputs.ts";
import { sha512Crypt } from "../src/recipe/password.ts";
import { masterBlock, parsePostconf, postconfChanges, postfixMapFiles, postfixSettings, withMasterBlock } from "../src/recipe/postfix.ts";
import { dataSql, schemaSql, stableSalt } from "../src/recipe/postgres.ts";
import { rspamdFiles } from "../src/recipe/rspamd.ts";
import { systemdFiles } from "../src/recipe/systemd.ts";

function inputs(family: PackageFamily, dovecot: "2.3" | "2.4"): StackInputs {
  return {
    family,
    dovecot,
    setup: {
      domain: "msf.test",
      hostname: "mail.msf.test",
      accounts: [
        { address: "postmaster@msf.test", role: "postmaster", password: "pm-password", aliases: [] },
        { address: "alice@msf.test", role: "email", password: "alice-password", aliases: ["info@msf.test"] },
      ],
    },
    dbPassword: "db-password",
    saltKey: "salt-key",
    messageSizeLimit: 10_485_760,
    dkimSelector: "msf",
    freshclam: false,
    emulated: family === "apt" && dovecot === "2.4",
  };
}

/** Every file and setting the recipe renders, as one text (golden). */
function rendered(stack: StackInputs): string {
  const files = [...systemdFiles(stack), ...postfixMapFiles(stack), ...dovecotFiles(stack), ...clamavFiles(stack), ...rspamdFiles(stack)];
  const parts = files.map((f) => `### ${f.path} (${f.mode.toString(8)} ${f.owner}:${f.group}${f.secret ? ", secret" : ""})\n${f.content}`);
  const settings = Object.entries(postfixSettings(stack)).map(([k, v]) => `${k} = ${v}`);
  return [...parts, "### postconf -e", ...settings, "### master.cf block", masterBlock(), "### schema.sql", schemaSql(), "### data.sql", dataSql(stack)].join(
    "\n",
  );
}

describe("mail stack recipe (golden, every family)", () => {
  for (const [family, dovecot] of [
    ["apt", "2.3"],
    ["apt", "2.4"],
    ["dnf", "2.3"],
    ["zypper", "2.3"],
  ] as const) {
    it(`renders ${family} with Dovecot ${dovecot}`, async () => {
      await expect(rendered(inputs(family, dovecot))).toMatchFileSnapshot(`golden/stack-${family}-dovecot${dovecot}.txt`);
    });
  }

  it("marks every file that holds a password as secret, and keeps those out of world-readable modes", () => {
    for (const [family, dovecot] of [
      ["apt", "2.3"],
      ["apt", "2.4"],
    ] as const) {
      const stack = inputs(family, dovecot);
      for (const file of [...postfixMapFiles(stack), ...dovecotFiles(stack)]) {
        const holds = file.content.includes(stack.dbPassword);
        expect(Boolean(file.secret), file.path).toBe(holds);
        if (holds) expect(file.mode & 0o007, file.path).toBe(0);
      }
    }
  });

  it("stores SHA512-CRYPT hashes, never a password, with salts stable per deployment", () => {
    const stack = inputs("apt", "2.3");
    const sql = dataSql(stack);
    expect(sql).not.toContain("alice-password");
    expect(sql).toContain(sha512Crypt("alice-password", stableSalt("salt-key", "alice@msf.test")));
    expect(dataSql(stack)).toBe(sql);
    expect(stableSalt("other-key", "alice@msf.test")).not.toBe(stableSalt("salt-key", "alice@msf.test"));
  });
});

describe("uniqueEicar", () => {
  it("gives every check token its own EICAR file, still a valid one (the 68 characters, white space, at most 128 bytes)", () => {
    const tokens = ["0000aaaaaaaa", "0000bbbbbbbb", "ffffffffffff", "000000000000", "9c3e00000001"];
    const copies = tokens.map(uniqueEicar);
    expect(new Set(copies).size).toBe(tokens.length);
    for (const copy of copies) {
      expect(copy.startsWith(EICAR)).toBe(true);
      expect(copy.slice(EICAR.length)).toMatch(/^[ \t]+$/);
      expect(copy.length).toBeLessThanOrEqual(128);
    }
  });
});

describe("sha512Crypt", () => {
  it("agrees with openssl passwd -6", () => {
    for (const [password, salt] of [
      ["Test12345", "saltstring"],
      ["x".repeat(200), "0123456789abcdefXYZ"],
      ["pässwörd ünïcode", "./AZaz09"],
    ] as const) {
      const reference = execFileSync("openssl", ["passwd", "-6", "-salt", salt.slice(0, 16), "-stdin"], { input: password })
        .toString()
        .trim();
      expect(sha512Crypt(password, salt)).toBe(reference);
    }
  });
});

describe("postfix helpers", () => {
  it("puts msf's block into master.cf once, replacing an older one and keeping the rest", () => {
    const debian = "smtp      inet  n       -       y       -       -       smtpd\n#submission inet n - y - - smtpd\n";
    const once = withMasterBlock(debian, masterBlock());
    expect(once.startsWith(debian)).toBe(true);
    expect(withMasterBlock(once, masterBlock())).toBe(once);
    const changed = withMasterBlock(once, "# BEGIN msf (managed: rewritten on every deploy)\nnew\n# END msf");
    expect(changed).toBe(`${debian}# BEGIN msf (managed: rewritten on every deploy)\nnew\n# END msf\n`);
  });

  it("sets only the settings that differ", () => {
    const current = parsePostconf("myhostname = mail.msf.test\nmydestination = $myhostname, localhost\nsmtpd_banner = $myhostname ESMTP $mail_name\n");
    expect(current.mydestination).toBe("$myhostname, localhost");
    expect(postconfChanges(current, { myhostname: "mail.msf.test", mydestination: "localhost" })).toEqual(["mydestination=localhost"]);
  });
});

describe("recipeFingerprint", () => {
  const { setup } = inputs("apt", "2.3");
  const of = (change: Partial<Parameters<typeof recipeFingerprint>[0]> = {}) =>
    recipeFingerprint({ family: "apt", setup, emulated: true, messageSizeLimit: 10_485_760, ...change });

  it("is the same whatever the passwords (they are rotated per VM), and changes with what is deployed", () => {
    const otherPasswords = { ...setup, accounts: setup.accounts.map((a) => ({ ...a, password: `${a.password}-2` })) };
    expect(of({ setup: otherPasswords })).toBe(of());
    const others = [
      of({ family: "dnf" }),
      of({ emulated: false }),
      of({ messageSizeLimit: 1_000 }),
      of({ setup: { ...setup, domain: "example.org" } }),
      of({ setup: { ...setup, accounts: setup.accounts.slice(1) } }),
    ];
    expect(new Set([of(), ...others]).size).toBe(others.length + 1);
  });
});

describe("secretFiles (what a restored snapshot's rotation rewrites)", () => {
  const tls = { certPem: "CERT", keyPem: "KEY" };
  it.each(["apt", "dnf", "zypper"] as const)("covers every %s file that holds a secret or the database password, and the TLS and DKIM keys", (family) => {
    for (const dovecot of ["2.3", "2.4"] as const) {
      const stack = inputs(family, dovecot);
      const all = [...systemdFiles(stack), ...postfixMapFiles(stack), ...dovecotFiles(stack), ...clamavFiles(stack), ...rspamdFiles(stack)];
      const rotated = secretFiles(stack, tls, "DKIM KEY");
      const paths = rotated.map((f) => f.path);
      for (const f of all.filter((f) => f.secret || f.content.includes(stack.dbPassword))) expect(paths, f.path).toContain(f.path);
      expect(rotated.filter((f) => f.secret).map((f) => f.mode & 0o007)).not.toContain(4);
      expect(paths).toEqual(expect.arrayContaining(["/etc/msf/tls/cert.pem", "/etc/msf/tls/key.pem", "/var/lib/rspamd/dkim/msf.test.msf.key"]));
    }
  });
});
