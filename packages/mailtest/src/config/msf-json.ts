import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { MsfError } from "@msf/core";
import { z } from "zod";
import type { AccountInput, MailSetupInput } from "./accounts.ts";

/** An account entry as the original Mail Server Factory writes it (both of its spellings). */
const MsfAccountSchema = z.object({
  type: z
    .string()
    .transform((t) => t.toLowerCase())
    .pipe(z.enum(["postmaster", "email"])),
  name: z.string().min(1),
  email: z.string().optional(),
  credentials: z.string().optional(),
  password: z.string().optional(),
  aliases: z.array(z.string()).default([]),
});

export interface MsfJsonConfig {
  name?: string;
  variables: Record<string, unknown>;
  setup: MailSetupInput;
  remote?: { host?: string; port?: number; user?: string };
  /** Every file read, in order (the config and its includes). */
  files: string[];
}

/**
 * Reads a Mail Server Factory JSON configuration (`Examples/*.json`): `includes` merged depth
 * first (the including file wins), `{{A.B}}` references resolved recursively from `variables`,
 * `accounts` mapped to mailboxes. An undefined variable or a circular include is an error naming it.
 */
export async function loadMsfJson(path: string): Promise<MsfJsonConfig> {
  const root = resolve(path);
  const files: string[] = [];
  const merged = await readWithIncludes(root, root, [], files);
  const variables = (merged.variables ?? {}) as Record<string, unknown>;
  const resolved = resolveReferences(merged, variables, root) as Record<string, unknown>;
  const vars = resolved.variables as Record<string, Record<string, unknown>> | undefined;
  const accounts = z.array(MsfAccountSchema).safeParse(resolved.accounts ?? []);
  if (!accounts.success) throw configError(root, `accounts.${accounts.error.issues[0]?.path.join(".")}: ${accounts.error.issues[0]?.message}`);
  const domain = String(vars?.SERVER?.DOMAIN ?? accounts.data[0]?.name.split("@")[1] ?? "");
  const setup: MailSetupInput = {
    domain,
    hostname: String(vars?.SERVER?.HOSTNAME ?? `mail.${domain}`),
    accounts: accounts.data.map((a): AccountInput => {
      const address = a.name.includes("@") ? a.name : (a.email ?? `${a.name}@${domain}`);
      return { address, role: a.type, password: a.credentials ?? a.password, aliases: a.aliases };
    }),
  };
  const remote = resolved.remote as MsfJsonConfig["remote"];
  return { name: resolved.name as string | undefined, variables: (vars ?? {}) as Record<string, unknown>, setup, remote, files };
}

type Json = Record<string, unknown>;

async function readWithIncludes(file: string, root: string, stack: string[], files: string[]): Promise<Json> {
  if (stack.includes(file)) throw configError(root, `circular include: ${[...stack, file].join(" -> ")}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw configError(file, (error as Error).message);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw configError(file, "expected a JSON object");
  files.push(file);
  const own = parsed as Json;
  let merged: Json = {};
  for (const include of (own.includes as string[] | undefined) ?? []) {
    const target = locateInclude(include, file, root);
    if (!target) throw configError(file, `includes: ${include} was not found next to it or above ${dirname(root)}`);
    merged = deepMerge(merged, await readWithIncludes(target, root, [...stack, file], files));
  }
  const { includes: _includes, ...rest } = own;
  return deepMerge(merged, rest);
}

/** Includes are written relative to the including file, or to a directory above the main config (the tool's working directory). */
function locateInclude(include: string, from: string, root: string): string | undefined {
  const candidates = [join(dirname(from), include)];
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    candidates.push(join(dir, include));
    if (dirname(dir) === dir) break;
  }
  return candidates.find((candidate) => existsSync(candidate));
}

/** Objects merge key by key, arrays concatenate (accounts from several includes add up), the later value wins otherwise. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    if (Array.isArray(current) && Array.isArray(value)) out[key] = [...current, ...value];
    else if (isObject(current) && isObject(value)) out[key] = deepMerge(current, value);
    else out[key] = value;
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const REFERENCE = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** Replaces `{{A.B}}` in every string, resolving references inside variables too. */
export function resolveReferences(value: unknown, variables: Json, file: string, seen: string[] = []): unknown {
  if (typeof value === "string") {
    const whole = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/.exec(value);
    if (whole) return lookup(whole[1] as string, variables, file, seen); // keeps non-string values (true, 42)
    return value.replace(REFERENCE, (_, name: string) => String(lookup(name, variables, file, seen)));
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, variables, file, seen));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, variables, file, seen)]));
  return value;
}

function lookup(name: string, variables: Json, file: string, seen: string[]): unknown {
  if (seen.includes(name)) throw configError(file, `variables: {{${name}}} refers to itself (${[...seen, name].join(" -> ")})`);
  let current: unknown = variables;
  for (const part of name.split(".")) current = isObject(current) ? current[part] : undefined;
  if (current === undefined) throw configError(file, `undefined variable {{${name}}}`);
  return resolveReferences(current, variables, file, [...seen, name]);
}

function configError(file: string, what: string): MsfError {
  return new MsfError("ERR_MSF_CONFIG", `${file}: ${what}`, { hint: "fix the Mail Server Factory configuration file", details: { file } });
}
