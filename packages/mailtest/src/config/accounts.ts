import { z } from "zod";

export const AccountSchema = z.object({
  address: z.email(),
  role: z.enum(["postmaster", "email"]).default("email"),
  /** Absent: msf generates one per run. Mail protocols carry it on a line: no line breaks, no NUL. */
  password: z
    .string()
    .min(1)
    .regex(/^[^\r\n\0]*$/, "a password without line breaks or NUL")
    .optional(),
  aliases: z.array(z.email()).default([]),
});
export type Account = z.infer<typeof AccountSchema>;
export type AccountInput = z.input<typeof AccountSchema>;

/** What the stack serves: domains, host name, mailboxes and their aliases. */
export const MailSetupSchema = z.object({
  domain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "a domain name such as msf.test"),
  hostname: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "a fully qualified host name such as mail.msf.test"),
  accounts: z.array(AccountSchema).min(1, "at least one account"),
});
export type MailSetup = z.infer<typeof MailSetupSchema>;
export type MailSetupInput = z.input<typeof MailSetupSchema>;

/** The built-in test setup: a postmaster, two users, an alias. */
export const DEFAULT_SETUP: MailSetupInput = {
  domain: "msf.test",
  hostname: "mail.msf.test",
  accounts: [{ address: "postmaster@msf.test", role: "postmaster" }, { address: "alice@msf.test", aliases: ["info@msf.test"] }, { address: "bob@msf.test" }],
};

/** Every domain the setup serves: the main one and those of its accounts and aliases. */
export function domainsOf(setup: MailSetup): string[] {
  const all = [setup.domain, ...setup.accounts.flatMap((a) => [a.address, ...a.aliases].map((address) => address.split("@")[1] as string))];
  return [...new Set(all)].sort();
}
