import { createHmac } from "node:crypto";
import { domainsOf } from "../config/accounts.ts";
import { DATABASE, type StackInputs } from "./inputs.ts";
import { sha512Crypt } from "./password.ts";

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** A salt that stays the same for the same deployment and address, so hashes do not churn. */
export function stableSalt(saltKey: string, address: string): string {
  const itoa = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return Array.from(createHmac("sha256", saltKey).update(address).digest().subarray(0, 16), (b) => itoa[b & 0x3f]).join("");
}

/** The schema: domains, mailboxes (SHA512-CRYPT hashes), aliases; a read-only role for Postfix and Dovecot. */
export function schemaSql(): string {
  return `SELECT 'CREATE DATABASE ${DATABASE.name}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${DATABASE.name}')\\gexec
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DATABASE.role}') THEN CREATE ROLE ${DATABASE.role} LOGIN; END IF;
END $$;
\\connect ${DATABASE.name}
CREATE TABLE IF NOT EXISTS domains (domain text PRIMARY KEY);
CREATE TABLE IF NOT EXISTS mailboxes (
  email text PRIMARY KEY,
  domain text NOT NULL REFERENCES domains (domain),
  password text NOT NULL,
  active boolean NOT NULL DEFAULT true
);
CREATE TABLE IF NOT EXISTS aliases (source text NOT NULL, destination text NOT NULL, PRIMARY KEY (source, destination));
GRANT CONNECT ON DATABASE ${DATABASE.name} TO ${DATABASE.role};
GRANT SELECT ON domains, mailboxes, aliases TO ${DATABASE.role};
`;
}

/** Upserts that touch a row only when it differs: psql's "INSERT 0 n" counts the real changes. */
export function dataSql(inputs: StackInputs): string {
  const { setup, saltKey } = inputs;
  const lines = [`\\connect ${DATABASE.name}`];
  for (const domain of domainsOf(setup)) lines.push(`INSERT INTO domains (domain) VALUES (${quote(domain)}) ON CONFLICT DO NOTHING;`);
  for (const account of setup.accounts) {
    const hash = sha512Crypt(account.password, stableSalt(saltKey, account.address));
    lines.push(
      `INSERT INTO mailboxes (email, domain, password) VALUES (${quote(account.address)}, ${quote(account.address.split("@")[1] as string)}, ${quote(hash)}) ` +
        "ON CONFLICT (email) DO UPDATE SET password = EXCLUDED.password, active = true WHERE mailboxes.password IS DISTINCT FROM EXCLUDED.password OR NOT mailboxes.active;",
    );
    for (const alias of account.aliases)
      lines.push(`INSERT INTO aliases (source, destination) VALUES (${quote(alias)}, ${quote(account.address)}) ON CONFLICT DO NOTHING;`);
  }
  return `${lines.join("\n")}\n`;
}

/** The role's password, set only when logging in with it fails (PostgreSQL salts it, so it cannot be compared). */
export function rolePasswordSql(inputs: StackInputs): string {
  return `ALTER ROLE ${DATABASE.role} WITH LOGIN PASSWORD ${quote(inputs.dbPassword)};\n`;
}
