import { type InstalledPackage, PACKAGE_QUERY, packageChanges, parsePackageList, stackVersions } from "@msf/catalog";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const pkg = (name: string, version: string, architecture = "amd64"): InstalledPackage => ({ name, version, architecture });

describe("package lists", () => {
  it("keeps only installed packages from the query's output, sorted, and skips what is not a package line", () => {
    const output = [
      "postfix\t3.7.11-0+deb12u1\tamd64\tii ",
      "dovecot-core\t1:2.3.19.1+dfsg1-2.1+deb12u1\tamd64\tii ",
      "old-conffiles\t1.0\tall\trc ",
      "garbage line",
      "evil;rm -rf /\t1.0\tamd64\tii ",
      "",
    ].join("\n");
    expect(parsePackageList(output)).toEqual([pkg("dovecot-core", "1:2.3.19.1+dfsg1-2.1+deb12u1"), pkg("postfix", "3.7.11-0+deb12u1")]);
  });

  it("never throws on hostile output and yields only well-formed entries", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        for (const p of parsePackageList(text)) expect(p.name && p.version).toBeTruthy();
      }),
    );
  });

  it("asks every package manager for the same tab-separated format", () => {
    expect(PACKAGE_QUERY.apt.at(-1)).toContain("\\t${Version}\\t");
    expect(PACKAGE_QUERY.dnf.at(-1)).toMatch(/^%\{NAME\}\\t.*%\{VERSION\}-%\{RELEASE\}\\t%\{ARCH\}\\tii\\n$/);
  });
});

describe("the stack's versions", () => {
  it("names the package each part came from, per family; the newest kernel and the PostgreSQL server", () => {
    const debian = [
      pkg("postfix", "3.7.11-0+deb12u1"),
      pkg("dovecot-core", "1:2.3.19.1+dfsg1-2.1+deb12u1"),
      pkg("postgresql", "15+248"),
      pkg("postgresql-15", "15.14-0+deb12u1"),
      pkg("linux-image-6.1.0-9-amd64", "6.1.27-1"),
      pkg("linux-image-6.1.0-41-amd64", "6.1.158-1"),
      pkg("linux-image-amd64", "6.1.158-1"),
    ];
    const stack = Object.fromEntries(stackVersions(debian, "apt").map((v) => [v.component, v]));
    expect(stack.postgresql).toEqual({ component: "postgresql", package: "postgresql-15", version: "15.14-0+deb12u1" });
    expect(stack.kernel).toEqual({ component: "kernel", package: "linux-image-6.1.0-41-amd64", version: "6.1.158-1" });
    expect(stack.dovecot?.package).toBe("dovecot-core");
    expect(stack.rspamd).toEqual({ component: "rspamd" });
    const fedora = Object.fromEntries(
      stackVersions([pkg("valkey", "8.0.2-1.fc42", "x86_64"), pkg("clamd", "1.4.2-1.fc42", "x86_64")], "dnf").map((v) => [v.component, v]),
    );
    expect(fedora.redis?.package).toBe("valkey");
    expect(fedora.clamav?.package).toBe("clamd");
  });
});

describe("package changes", () => {
  it("lists every version that differs, and what came and went", () => {
    const before = [pkg("dovecot-core", "2.3.19.1-2+deb12u1"), pkg("libold", "1"), pkg("postfix", "3.7.11")];
    const after = [pkg("dovecot-core", "2.3.19.1-2+deb12u2"), pkg("libnew", "2"), pkg("postfix", "3.7.11")];
    expect(packageChanges(before, after)).toEqual([
      { name: "dovecot-core", from: "2.3.19.1-2+deb12u1", to: "2.3.19.1-2+deb12u2" },
      { name: "libnew", from: undefined, to: "2" },
      { name: "libold", from: "1", to: undefined },
    ]);
  });

  it("tells a package installed for two architectures apart", () => {
    const before = [pkg("libc6", "2.36-9", "amd64"), pkg("libc6", "2.36-9", "i386")];
    const after = [pkg("libc6", "2.36-9+deb12u1", "amd64"), pkg("libc6", "2.36-9", "i386")];
    expect(packageChanges(before, after)).toEqual([{ name: "libc6:amd64", from: "2.36-9", to: "2.36-9+deb12u1" }]);
  });

  it("is empty between a list and itself, and symmetric in what it counts", () => {
    const entry = fc.record({ name: fc.constantFrom("a", "b", "c", "d"), version: fc.constantFrom("1", "2"), architecture: fc.constant("amd64") });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (p) => p.name }), fc.uniqueArray(entry, { selector: (p) => p.name }), (a, b) => {
        expect(packageChanges(a, a)).toEqual([]);
        expect(packageChanges(a, b).length).toBe(packageChanges(b, a).length);
      }),
    );
  });
});
