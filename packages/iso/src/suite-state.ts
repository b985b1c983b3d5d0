import { createHash } from "node:crypto";
import { join } from "node:path";
import { catalogKeys } from "@msf/catalog";
import { MsfError, readJsonIfExists, writeJsonAtomic } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { z } from "zod";
import { verifySigned } from "./gpg.ts";
import { fetchText } from "./http.ts";

export interface SuiteSource {
  suite: string;
  mirror: string;
}

export const SuiteStateSchema = z.object({
  suite: z.string(),
  mirror: z.string(),
  codename: z.string(),
  /** When the archive published this Release, and until when it stands (absent: no limit). */
  date: z.string(),
  validUntil: z.string().optional(),
  signedBy: z.string(),
  /** sha256 of each package index the image is built from (`main/binary-amd64/Packages.xz`...). */
  indexes: z.record(z.string(), z.string()),
  /** One hash over the indexes: it changes whenever a package of the suite is added, removed or updated. */
  digest: z.string().regex(/^[0-9a-f]{16}$/),
  checkedAt: z.string(),
});
export type SuiteState = z.infer<typeof SuiteStateSchema>;

/** A Release file is tens to hundreds of KiB (sid's: 190 KiB); a mirror sending more is not serving one. */
const RELEASE_MAX_BYTES = 4 * 1024 * 1024;

/** Pure: the SHA256 section of a Release file: path -> { hex, size }. Give it only the signed text (`verifySigned`). */
export function releaseChecksums(release: string): Map<string, { hex: string; size: number }> {
  const out = new Map<string, { hex: string; size: number }>();
  const section = /^SHA256:\n((?:[ \t].*\n?)*)/m.exec(release.replace(/\r/g, ""))?.[1] ?? "";
  for (const line of section.split("\n")) {
    const [hex, size, path] = line.trim().split(/\s+/);
    if (hex && /^[0-9a-f]{64}$/i.test(hex) && size && /^\d+$/.test(size) && path) out.set(path, { hex: hex.toLowerCase(), size: Number(size) });
  }
  return out;
}

/** Pure: the single-line fields of a Release file (Suite, Codename, Date, Valid-Until...). */
export function releaseFields(release: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of release.replace(/\r/g, "").split("\n")) {
    const match = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(\S.*)$/.exec(line);
    if (match) fields[match[1] as string] = (match[2] as string).trim();
  }
  return fields;
}

/**
 * Pure: a suite's state from its verified Release text. The Release must name the suite asked for
 * (a mirror cannot pass off another suite's, or an older release's, file as this one) and list the
 * package index of every component and architecture the image uses.
 */
export function suiteStateOf(
  source: SuiteSource,
  verified: { text: string; fingerprint: string },
  options: { components: readonly string[]; architecture: string; checkedAt: Date },
): SuiteState {
  const fields = releaseFields(verified.text);
  const where = `${source.mirror} ${source.suite}`;
  if (fields.Codename !== source.suite && fields.Suite !== source.suite) {
    throw new MsfError("ERR_MSF_SIGNATURE", `the Release of ${where} is for ${fields.Codename ?? fields.Suite ?? "no suite"}, not ${source.suite}`, {
      hint: "the mirror serves another suite's Release under this name; use another mirror",
    });
  }
  const date = parseReleaseDate(fields.Date, "Date", where);
  const validUntil = fields["Valid-Until"] === undefined ? undefined : parseReleaseDate(fields["Valid-Until"], "Valid-Until", where);
  const checksums = releaseChecksums(verified.text);
  const indexes: Record<string, string> = {};
  for (const component of options.components) {
    // Debian lists architecture-independent packages apart (No-Support-for-Architecture-all).
    for (const arch of [options.architecture, "all"]) {
      for (const name of ["Packages", "Packages.xz", "Packages.gz"]) {
        const path = `${component}/binary-${arch}/${name}`;
        const entry = checksums.get(path);
        if (entry) indexes[path] = entry.hex;
      }
    }
    if (!Object.keys(indexes).some((path) => path.startsWith(`${component}/binary-${options.architecture}/`))) {
      throw new MsfError("ERR_MSF_DOWNLOAD", `the Release of ${where} lists no ${component}/binary-${options.architecture} package index`, {
        hint: "check the suite and component names, or use another mirror",
      });
    }
  }
  const digest = createHash("sha256")
    .update(
      Object.entries(indexes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([path, hex]) => `${hex} ${path}\n`)
        .join(""),
    )
    .digest("hex")
    .slice(0, 16);
  return {
    ...source,
    codename: fields.Codename ?? source.suite,
    date,
    validUntil,
    signedBy: verified.fingerprint,
    indexes,
    digest,
    checkedAt: options.checkedAt.toISOString(),
  };
}

function parseReleaseDate(value: string | undefined, field: string, where: string): string {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  if (Number.isNaN(ms)) throw new MsfError("ERR_MSF_DOWNLOAD", `the Release of ${where} has no valid ${field} (${JSON.stringify(value ?? null)})`);
  return new Date(ms).toISOString();
}

/** Pure: the problem with a state whose Valid-Until has passed (a stale mirror, or a replayed Release), if any. */
export function staleness(state: SuiteState, now: Date = new Date()): string | undefined {
  if (!state.validUntil || Date.parse(state.validUntil) >= now.getTime()) return undefined;
  return `the Release of ${state.mirror} ${state.suite} expired on ${state.validUntil.slice(0, 10)} (published ${state.date.slice(0, 10)}): the mirror is stale, or is replaying an old Release`;
}

export interface SuiteCheckOptions {
  supervisor: Supervisor;
  /** Where checked states are kept briefly (one small JSON per suite). */
  cacheDir: string;
  /** A state checked less than this long ago is used as it is (default 10 minutes). */
  maxAgeMs?: number;
  /** Check again whatever the cache holds. */
  refresh?: boolean;
  components?: readonly string[];
  architecture?: string;
  /** Armored keys the Release must be signed with (default: Debian's archive keys). */
  keys?: string[];
  signal?: AbortSignal;
}

export const SUITE_STATE_MAX_AGE_MS = 10 * 60_000;

/**
 * The state of each suite, read from its signed InRelease (all at once, in parallel), or from a
 * check made in the last few minutes. A bad signature, or a Release for another suite, is an error.
 */
export async function checkSuites(sources: readonly SuiteSource[], options: SuiteCheckOptions): Promise<SuiteState[]> {
  const keys = options.keys ?? (await catalogKeys(["debian-archive.asc"]));
  const components = options.components ?? ["main"];
  const architecture = options.architecture ?? "amd64";
  const maxAgeMs = options.maxAgeMs ?? SUITE_STATE_MAX_AGE_MS;
  return Promise.all(
    sources.map(async (source) => {
      const file = join(
        options.cacheDir,
        `${createHash("sha256").update(`${source.mirror}\n${source.suite}\n${components}\n${architecture}\n${keys}`).digest("hex").slice(0, 24)}.json`,
      );
      if (!options.refresh) {
        const cached = SuiteStateSchema.safeParse(await readJsonIfExists(file).catch(() => undefined));
        if (cached.success && Date.now() - Date.parse(cached.data.checkedAt) < maxAgeMs) return cached.data;
      }
      const url = `${source.mirror.replace(/\/+$/, "")}/dists/${source.suite}/InRelease`;
      const verified = await verifySigned(options.supervisor, {
        text: await fetchText(url, { signal: options.signal, maxBytes: RELEASE_MAX_BYTES, timeoutMs: 30_000 }),
        keys,
        what: url,
      });
      const state = suiteStateOf(source, verified, { components, architecture, checkedAt: new Date() });
      await writeJsonAtomic(file, state);
      return state;
    }),
  );
}
