import type { ConfigFileKind } from "./structure.ts";

/** The real validator for each kind, where Debian packages one: argv for a file, and the package. */
export const VALIDATORS: Partial<Record<ConfigFileKind, { tool: string; package: string; argv: (file: string) => string[]; failsOn?: RegExp }>> = {
  // debconf-set-selections exits 0 when it skips a line it cannot use: its warnings count as failures.
  preseed: { tool: "debconf-set-selections", package: "debconf", argv: (file) => ["-c", file], failsOn: /^warning:/m },
  "cloud-config": { tool: "cloud-init", package: "cloud-init", argv: (file) => ["schema", "--config-file", file] },
  autoyast: { tool: "xmllint", package: "libxml2-utils", argv: (file) => ["--noout", file] },
};
