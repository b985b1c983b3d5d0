import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "@msf/core";
import { type Account, generatePassword } from "@msf/mailtest";
import { z } from "zod";

/** Secrets of one VM's mail deployment (0600, in the VM directory; never printed). */
const SecretsSchema = z.object({
  dbPassword: z.string(),
  saltKey: z.string(),
  passwords: z.record(z.string(), z.string()),
});
export type MailSecrets = z.infer<typeof SecretsSchema>;

/** What was deployed, without secrets: what `msf test` needs besides the passwords. */
export const DeploymentSchema = z.object({
  schemaVersion: z.literal(1),
  deployer: z.object({
    kind: z.enum(["builtin", "external"]),
    command: z.array(z.string()).optional(),
    exitCode: z.number().nullable().optional(),
    log: z.string().optional(),
  }),
  domain: z.string(),
  hostname: z.string(),
  accounts: z.array(z.object({ address: z.string(), role: z.enum(["postmaster", "email"]), aliases: z.array(z.string()) })),
  dkim: z.record(z.string(), z.string()),
  dkimSelector: z.string(),
  caPath: z.string(),
  messageSizeLimit: z.number(),
  dovecot: z.string().optional(),
  /** ClamAV signatures came from freshclam (otherwise the bundled test signature only). */
  freshclam: z.boolean().default(false),
  deployedAt: z.string(),
  durationMs: z.number(),
  steps: z.array(z.object({ name: z.string(), changed: z.array(z.string()), durationMs: z.number() })),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const mailDir = (vmDir: string) => join(vmDir, "mail");

export async function loadSecrets(dir: string): Promise<MailSecrets> {
  const parsed = SecretsSchema.safeParse(await readJsonIfExists(join(dir, "secrets.json")));
  return parsed.success ? parsed.data : { dbPassword: generatePassword(), saltKey: generatePassword(), passwords: {} };
}

export async function saveSecrets(dir: string, secrets: MailSecrets): Promise<void> {
  await writeJsonAtomic(join(dir, "secrets.json"), secrets, 0o600);
}

export async function loadDeployment(dir: string): Promise<Deployment | undefined> {
  const parsed = DeploymentSchema.safeParse(await readJsonIfExists(join(dir, "deployment.json")));
  return parsed.success ? parsed.data : undefined;
}

export async function saveDeployment(dir: string, deployment: Deployment): Promise<void> {
  await writeJsonAtomic(join(dir, "deployment.json"), deployment);
}

/** Accounts with a password: the configured one, the one generated for this VM before, or a new one. */
export function withPasswords(accounts: Account[], secrets: MailSecrets): Array<Account & { password: string }> {
  return accounts.map((account) => {
    const password = account.password ?? secrets.passwords[account.address] ?? generatePassword();
    secrets.passwords[account.address] = password;
    return { ...account, password };
  });
}
