import { Resolver } from "node:dns/promises";
import type { CheckContext } from "./context.ts";

export interface DkimKeyLookup {
  /** The TXT record (`v=DKIM1; k=...; p=...`), when one was found. */
  txt?: string;
  /** Where it came from, or why each source had none. */
  notes: string[];
}

/** Pure: the tags of a DKIM-Signature header value (`d=`, `s=`...), white space folded away. */
export function dkimTags(header: string): Record<string, string> {
  const value = header.replace(/^dkim-signature:/i, "").replace(/\s+/g, "");
  return Object.fromEntries(
    value
      .split(";")
      .map((tag) => [tag.slice(0, tag.indexOf("=")), tag.slice(tag.indexOf("=") + 1)])
      .filter(([name]) => name),
  );
}

/** Pure: the key file Rspamd signs with for domain and selector, from `rspamadm configdump dkim_signing`. */
export function rspamdKeyPath(configdump: string, domain: string, selector: string): string | undefined {
  const path = /^\s*path\s*=\s*"([^"]+)"/m.exec(configdump)?.[1];
  return path?.replaceAll("$domain", domain).replaceAll("$selector", selector);
}

/** Pure: the key file OpenDKIM signs with, from its KeyTable (`name domain:selector:/path`). */
export function opendkimKeyPath(keyTable: string, domain: string, selector: string): string | undefined {
  for (const line of keyTable.split("\n")) {
    const [, value] = line.trim().split(/\s+/);
    const [d, s, path] = value?.split(":") ?? [];
    if (d === domain && s === selector && path?.startsWith("/")) return path;
  }
  return undefined;
}

/** Pure: a DKIM TXT record from a public key's DER (SubjectPublicKeyInfo): RSA keys publish it whole, Ed25519 keys their 32 raw bytes. */
export function dkimRecordFromSpki(der: Buffer): string {
  const ed25519 = der.length === 44 && der.subarray(0, 12).equals(Buffer.from("302a300506032b6570032100", "hex"));
  return ed25519 ? `v=DKIM1; k=ed25519; p=${der.subarray(12).toString("base64")}` : `v=DKIM1; k=rsa; p=${der.toString("base64")}`;
}

/**
 * The public key of `<selector>._domainkey.<domain>`, found the way a receiving server would: the
 * key given with the target wins; else DNS (the system's resolver); else, over SSH, the signer's
 * own configuration (Rspamd's dkim_signing, OpenDKIM's KeyTable), the key derived on the server.
 */
export async function findDkimKey(ctx: CheckContext, domain: string, selector: string): Promise<DkimKeyLookup> {
  const name = `${selector}._domainkey.${domain}`;
  const given = ctx.target.dkim;
  if (given && given.domain === domain && given.selector === selector) return { txt: given.txt, notes: ["the key given with the target"] };
  const notes: string[] = [];
  try {
    const records = await new Resolver({ timeout: ctx.scaled(5_000), tries: 1 }).resolveTxt(name);
    const txt = records.map((chunks) => chunks.join("")).find((record) => /(^|;)\s*p=/.test(record));
    if (txt) return { txt, notes: [`DNS TXT ${name}`] };
    notes.push(`DNS: ${name} has no DKIM record`);
  } catch (error) {
    notes.push(`DNS: ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!ctx.target.ssh) return { notes: [...notes, "no SSH access to read the signer's configuration"] };
  const rspamd = await ctx.remote(["rspamadm", "configdump", "dkim_signing"], 60_000).catch(() => undefined);
  const keyTable = await ctx.remote(["cat", "/etc/opendkim/KeyTable"], 30_000).catch(() => undefined);
  const path =
    (rspamd?.exitCode === 0 ? rspamdKeyPath(rspamd.stdout, domain, selector) : undefined) ??
    (keyTable?.exitCode === 0 ? opendkimKeyPath(keyTable.stdout, domain, selector) : undefined);
  if (!path) return { notes: [...notes, "SSH: neither Rspamd's dkim_signing nor OpenDKIM's KeyTable names a key for it"] };
  // The private key stays on the server: only its public half comes back.
  const derived = await ctx.remote(["sh", "-c", 'openssl pkey -in "$1" -pubout -outform DER | base64 -w0', "sh", path], 60_000);
  const der = Buffer.from(derived.stdout.trim(), "base64");
  if (derived.exitCode !== 0 || der.length < 40) return { notes: [...notes, `SSH: cannot read the public key of ${path}`] };
  return { txt: dkimRecordFromSpki(der), notes: [...notes, `SSH: the signer's key ${path}`] };
}
