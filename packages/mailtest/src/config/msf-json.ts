import { readFile, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
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
  /** Every file read, in order (the config and its includes), each once. */
  files: string[];
}

export interface MsfJsonOptions {
  /** Includes may only come from this directory and below (default: the configuration's own directory). */
  includeRoot?: string;
}

/** A configuration from elsewhere is read with bounds: nothing it says can make msf read the disk or fill memory without end. */
export const MSF_JSON_LIMITS = { depth: 16, files: 64, fileBytes: 1024 * 1024, expandedChars: 1024 * 1024 } as const;

/**
 * Reads a Mail Server Factory JSON configuration (`Examples/*.json`): `includes` merged depth
 * first (the including file wins), each file read and merged once, only from the include root;
 * `{{A.B}}` references resolved recursively from `variables`, `accounts` mapped to mailboxes. An
 * undefined variable, a circular include or a limit passed is an error naming it (never quoting the file).
 */
export async function loadMsfJson(path: string, options: MsfJsonOptions = {}): Promise<MsfJsonConfig> {
  const root = await realpath(resolve(path)).catch(() => resolve(path));
  const reader: IncludeReader = { root: await realpath(resolve(options.includeRoot ?? dirname(root))).catch(() => dirname(root)), files: [] };
  const merged = await readWithIncludes(reader, root, []);
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
  return { name: resolved.name as string | undefined, variables: (vars ?? {}) as Record<string, unknown>, setup, remote, files: reader.files };
}

type Json = Record<string, unknown>;

interface IncludeReader {
  /** Real path of the directory includes must stay in. */
  root: string;
  /** Files read and merged so far (real paths): a diamond of includes merges each once. */
  files: string[];
}

async function readWithIncludes(reader: IncludeReader, file: string, stack: string[]): Promise<Json> {
  if (stack.includes(file)) throw configError(stack[0] ?? file, `circular include: ${[...stack, file].join(" -> ")}`);
  if (stack.length >= MSF_JSON_LIMITS.depth) throw configError(file, `includes nest deeper than ${MSF_JSON_LIMITS.depth} levels`);
  if (reader.files.length >= MSF_JSON_LIMITS.files) throw configError(file, `more than ${MSF_JSON_LIMITS.files} files are included`);
  const own = await readJsonObject(file);
  reader.files.push(file);
  const includes = own.includes ?? [];
  if (!Array.isArray(includes) || includes.some((entry) => typeof entry !== "string")) throw configError(file, "includes: expected a list of file names");
  let merged: Json = {};
  for (const include of includes as string[]) {
    const target = await locateInclude(reader, include, file);
    const chain = [...stack, file];
    if (reader.files.includes(target) && !chain.includes(target)) continue; // merged once already; a cycle is reported below
    merged = deepMerge(merged, await readWithIncludes(reader, target, chain));
  }
  const { includes: _includes, ...rest } = own;
  return deepMerge(merged, rest);
}

/** One file, at most MSF_JSON_LIMITS.fileBytes, parsed as a JSON object; errors say where, never what the file holds. */
export async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  const size = await stat(file).then(
    (s) => s.size,
    () => -1,
  );
  if (size < 0) throw configError(file, "cannot be read");
  if (size > MSF_JSON_LIMITS.fileBytes) throw configError(file, `is larger than ${MSF_JSON_LIMITS.fileBytes} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw configError(file, `is not valid JSON${position ? ` (at character ${position})` : ""}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw configError(file, "expected a JSON object");
  return parsed as Json;
}

/**
 * Includes are written relative to the including file, or to a directory above it up to the include
 * root (the original tool resolved them from its working directory). Nothing outside the root is read.
 */
async function locateInclude(reader: IncludeReader, include: string, from: string): Promise<string> {
  if (isAbsolute(include)) throw configError(from, `includes: ${include} is an absolute path; includes are relative to the configuration`);
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = await realpath(join(dir, include)).catch(() => undefined);
    if (candidate && (candidate === reader.root || candidate.startsWith(`${reader.root}${sep}`))) return candidate;
    if (dir === reader.root || !dir.startsWith(reader.root) || dirname(dir) === dir) break;
  }
  throw configError(from, `includes: ${include} was not found inside ${reader.root}`, {
    hint: "includes are read only from the configuration's directory and below; name a wider one with --include-root DIR",
  });
}
/** Objects merge key by key, arrays concatenate (accounts from several includes add up), the later value wins otherwise. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key === "__proto__") continue; // JSON may name it; assigning it would replace the object's prototype
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

/** Replaces `{{A.B}}` in every string, resolving references inside variables too; the whole expansion is bounded. */
export function resolveReferences(value: unknown, variables: Json, file: string): unknown {
  return new References(variables, file).resolve(value, []);
}

class References {
  private budget: number = MSF_JSON_LIMITS.expandedChars;
  private readonly resolved = new Map<string, unknown>();
  private readonly variables: Json;
  private readonly file: string;

  constructor(variables: Json, file: string) {
    this.variables = variables;
    this.file = file;
  }

  resolve(value: unknown, seen: string[]): unknown {
    if (typeof value === "string") {
      const whole = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/.exec(value);
      if (whole) return this.lookup(whole[1] as string, seen); // keeps non-string values (true, 42)
      if (!value.includes("{{")) return value;
      const parts: string[] = [];
      let length = 0;
      let last = 0;
      for (const match of value.matchAll(REFERENCE)) {
        const piece = String(this.lookup(match[1] as string, seen));
        parts.push(value.slice(last, match.index), piece);
        last = (match.index ?? 0) + match[0].length;
        length += piece.length;
        this.spend(piece.length);
      }
      parts.push(value.slice(last));
      return length ? parts.join("") : value;
    }
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, seen));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, seen)]));
    return value;
  }

  /** Every character a reference adds counts against the budget: a few nested variables cannot blow up to megabytes. */
  private spend(chars: number): void {
    this.budget -= chars;
    if (this.budget < 0) throw configError(this.file, `variables expand to more than ${MSF_JSON_LIMITS.expandedChars} characters`);
  }

  private lookup(name: string, seen: string[]): unknown {
    if (seen.includes(name)) throw configError(this.file, `variables: {{${name}}} refers to itself (${[...seen, name].join(" -> ")})`);
    if (this.resolved.has(name)) return this.resolved.get(name);
    let current: unknown = this.variables;
    for (const part of name.split(".")) current = isObject(current) && Object.hasOwn(current, part) ? current[part] : undefined;
    if (current === undefined) throw configError(this.file, `undefined variable {{${name}}}`);
    const value = this.resolve(current, [...seen, name]);
    this.resolved.set(name, value);
    return value;
  }
}

function configError(file: string, what: string, options: { hint?: string } = {}): MsfError {
  return new MsfError("ERR_MSF_CONFIG", `${file}: ${what}`, { hint: options.hint ?? "fix the Mail Server Factory configuration file", details: { file } });
}
