import { createHash } from "node:crypto";
import type { MailSetup } from "../config/accounts.ts";
import { clamavFiles } from "./clamav.ts";
import { dovecotFiles } from "./dovecot.ts";
import type { PackageFamily } from "./families.ts";
import { stackInputs } from "./inputs.ts";
import { masterBlock, postfixMapFiles, postfixSettings } from "./postfix.ts";
import { dataSql, schemaSql } from "./postgres.ts";
import { rspamdFiles } from "./rspamd.ts";
import { systemdFiles } from "./systemd.ts";

/**
 * Pure: what the built-in recipe would make of this setup, as a hash: every file, setting and SQL
 * statement rendered with fixed stand-ins for the secrets. A change to the recipe or the setup
 * changes it, so what was deployed from the old one (a ready snapshot) is not reused.
 */
export function recipeFingerprint(input: {
  family: PackageFamily;
  setup: MailSetup;
  emulated: boolean;
  freshclam?: boolean;
  messageSizeLimit: number;
}): string {
  const hash = createHash("sha256");
  for (const dovecot of ["2.3", "2.4"] as const) {
    const inputs = stackInputs({
      ...input,
      dovecot,
      setup: { ...input.setup, accounts: input.setup.accounts.map((account) => ({ ...account, password: "stand-in" })) },
      dbPassword: "stand-in",
      saltKey: "stand-in",
    });
    const files = [...postfixMapFiles(inputs), ...dovecotFiles(inputs), ...rspamdFiles(inputs), ...clamavFiles(inputs), ...systemdFiles(inputs)];
    hash.update(JSON.stringify([files, postfixSettings(inputs), masterBlock(), schemaSql(), dataSql(inputs)]));
  }
  return hash.digest("hex").slice(0, 16);
}
