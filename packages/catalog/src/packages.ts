import { z } from "zod";
import type { Distribution } from "./schema.ts";

/** One installed package, as dpkg or rpm reports it. */
export const InstalledPackageSchema = z.object({ name: z.string().min(1), version: z.string().min(1), architecture: z.string() });
export type InstalledPackage = z.infer<typeof InstalledPackageSchema>;

/**
 * The one format msf asks each package manager for: `name<TAB>version<TAB>architecture<TAB>state`,
 * a line per package; only installed ones (`ii` for dpkg, rpm lists nothing else) are kept.
 */
export const PACKAGE_QUERY: Record<Distribution["packageFamily"], string[]> = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  apt: ["dpkg-query", "-W", "-f", "${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n"],
  dnf: ["rpm", "-qa", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\tii\\n"],
  zypper: ["rpm", "-qa", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\tii\\n"],
};

/** Pure: the query's output to packages, sorted by name; malformed lines are skipped, never trusted. */
export function parsePackageList(output: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const line of output.split("\n")) {
    const [name, version, architecture, state] = line.split("\t");
    if (!name || !version || !/^ii\s*$/.test(state ?? "")) continue;
    if (!/^[A-Za-z0-9][A-Za-z0-9+._-]*$/.test(name) || !/^[A-Za-z0-9.+~:_-]+$/.test(version)) continue;
    packages.push({ name, version, architecture: architecture ?? "" });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name) || a.architecture.localeCompare(b.architecture));
}

export const StackComponents = ["postfix", "dovecot", "postgresql", "rspamd", "redis", "clamav", "openssl", "systemd", "kernel"] as const;
export type StackComponent = (typeof StackComponents)[number];

/** The package that carries each part of the stack, per family, in order of preference. */
const STACK_PACKAGES: Record<StackComponent, Record<Distribution["packageFamily"], Array<string | RegExp>>> = {
  postfix: { apt: ["postfix"], dnf: ["postfix"], zypper: ["postfix"] },
  dovecot: { apt: ["dovecot-core"], dnf: ["dovecot"], zypper: ["dovecot", /^dovecot\d+$/] },
  postgresql: { apt: [/^postgresql-\d+$/, "postgresql"], dnf: ["postgresql-server"], zypper: [/^postgresql\d+-server$/, "postgresql-server"] },
  rspamd: { apt: ["rspamd"], dnf: ["rspamd"], zypper: ["rspamd"] },
  redis: { apt: ["redis-server"], dnf: ["redis", "valkey"], zypper: ["redis", /^redis\d+$/, "valkey"] },
  clamav: { apt: ["clamav-daemon", "clamav-base"], dnf: ["clamd", "clamav"], zypper: ["clamav"] },
  openssl: { apt: ["openssl"], dnf: ["openssl"], zypper: ["openssl", /^openssl-\d+$/] },
  systemd: { apt: ["systemd"], dnf: ["systemd"], zypper: ["systemd"] },
  kernel: { apt: [/^linux-image-\d.*-amd64$/], dnf: ["kernel-core", "kernel"], zypper: ["kernel-default"] },
};

export interface StackVersion {
  component: StackComponent;
  /** The package it was read from (`dovecot-core`, `postgresql-15`), absent when none is installed. */
  package?: string;
  version?: string;
}

/** Pure: the version of each part of the mail stack in a package list (the newest kernel when several). */
export function stackVersions(packages: readonly InstalledPackage[], family: Distribution["packageFamily"]): StackVersion[] {
  return StackComponents.map((component) => {
    for (const wanted of STACK_PACKAGES[component][family]) {
      const found = packages.filter((p) => (typeof wanted === "string" ? p.name === wanted : wanted.test(p.name)));
      const pick = found.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true })).at(-1);
      if (pick) return { component, package: pick.name, version: pick.version };
    }
    return { component };
  });
}

export interface PackageChange {
  name: string;
  /** Absent: newly installed. */
  from?: string;
  /** Absent: no longer installed. */
  to?: string;
}

/** Pure: every package whose version differs between two lists (added and removed ones too), by name. */
export function packageChanges(before: readonly InstalledPackage[], after: readonly InstalledPackage[]): PackageChange[] {
  const index = (list: readonly InstalledPackage[]) => {
    const names = new Map<string, number>();
    for (const p of list) names.set(p.name, (names.get(p.name) ?? 0) + 1);
    // A name installed for two architectures is told apart by its architecture.
    return new Map(list.map((p) => [(names.get(p.name) ?? 0) > 1 ? `${p.name}:${p.architecture}` : p.name, p.version]));
  };
  const [a, b] = [index(before), index(after)];
  const changes: PackageChange[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(name);
    const to = b.get(name);
    if (from !== to) changes.push({ name, from, to });
  }
  return changes.sort((x, y) => x.name.localeCompare(y.name));
}
