import type { ConfigFileKind } from "./structure.ts";

/** The real validator for each kind, where Debian packages one: argv for a file, and the package. */
export const VALIDATORS: Partial<Record<ConfigFileKind, { tool: string; package: string; argv: (file: string) => string[] }>> = {
  preseed: { tool: "debconf-set-selections", package: "debconf", argv: (file) => ["-c", file] },
  "cloud-config": { tool: "cloud-init", package: "cloud-init", argv: (file) => ["schema", "--config-file", file] },
  autoyast: { tool: "xmllint", package: "libxml2-utils", argv: (file) => ["--noout", file] },
};
