import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { readJsonIfExists, sha256File, writeJsonAtomic } from "@msf/core";
import { acquireLock } from "@msf/supervisor";
import { z } from "zod";
import { downloadVerified, type FetchEvent } from "./download.ts";
import type { Checksum } from "./sums.ts";

export const MediaEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** The name it has upstream. */
  file: z.string(),
  distro: z.string().optional(),
  /** The checksum it was verified against (from a SUMS file or given by the user). */
  expected: z.object({ algo: z.string(), hex: z.string() }),
  source: z.string(),
  fetchedAt: z.string(),
});
export type MediaEntry = z.infer<typeof MediaEntrySchema>;

const ManifestSchema = z.object({ schemaVersion: z.literal(1), files: z.array(MediaEntrySchema) });

export interface FetchRequest {
  urls: string[];
  expected: Checksum;
  /** The size a signed index gives (bounds the download). */
  size?: number;
  file: string;
  distro?: string;
  onEvent?: (event: FetchEvent) => void;
  signal?: AbortSignal;
  attempts?: number;
  idleTimeoutMs?: number;
  backoffMs?: number;
}

export interface VerifyResult {
  entry: MediaEntry;
  ok: boolean;
  problem?: string;
}

/**
 * The media cache: verified files named by their sha256, and a manifest (JSON) of what each is
 * and where it came from. A lock per file keeps two msf processes from downloading it twice at once.
 */
export class MediaStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256);
  }

  /** A cached file matching the checksum, present with its recorded size. */
  async find(expected: Checksum): Promise<MediaEntry | undefined> {
    for (const entry of await this.entries()) {
      const matches = entry.expected.algo === expected.algo ? entry.expected.hex === expected.hex : expected.algo === "sha256" && entry.sha256 === expected.hex;
      if (!matches) continue;
      const size = await stat(this.pathOf(entry.sha256)).then(
        (s) => s.size,
        () => -1,
      );
      if (size === entry.size) return entry;
    }
    return undefined;
  }

  /** The verified file: from the cache, or downloaded (once, however many processes ask at once). */
  async fetch(request: FetchRequest): Promise<{ entry: MediaEntry; path: string; fromCache: boolean }> {
    const cached = await this.find(request.expected);
    if (cached) return { entry: cached, path: this.pathOf(cached.sha256), fromCache: true };
    const id = `${request.expected.algo}-${request.expected.hex}`;
    const lock = await acquireLock(join(this.dir, `.${id}.lock`), { timeoutMs: 6 * 3_600_000, signal: request.signal });
    try {
      const meanwhile = await this.find(request.expected);
      if (meanwhile) return { entry: meanwhile, path: this.pathOf(meanwhile.sha256), fromCache: true };
      const verified = join(this.dir, `.verified-${id}`);
      const result = await downloadVerified({ ...request, dest: verified, part: join(this.dir, ".parts", `${id}.part`) });
      await rename(verified, this.pathOf(result.sha256));
      const entry: MediaEntry = {
        sha256: result.sha256,
        size: result.size,
        file: request.file,
        distro: request.distro,
        expected: request.expected,
        source: result.url,
        fetchedAt: new Date().toISOString(),
      };
      await this.update((files) => [...files.filter((f) => f.sha256 !== entry.sha256), entry]);
      return { entry, path: this.pathOf(entry.sha256), fromCache: false };
    } finally {
      await lock.release();
    }
  }

  async entries(): Promise<MediaEntry[]> {
    const parsed = ManifestSchema.safeParse(await readJsonIfExists(join(this.dir, "manifest.json")));
    return parsed.success ? parsed.data.files : [];
  }

  /** Re-hashes cached files against the manifest. */
  async verify(filter: (entry: MediaEntry) => boolean = () => true): Promise<VerifyResult[]> {
    const results: VerifyResult[] = [];
    for (const entry of (await this.entries()).filter(filter)) {
      const path = this.pathOf(entry.sha256);
      const size = await stat(path).then(
        (s) => s.size,
        () => -1,
      );
      if (size < 0) results.push({ entry, ok: false, problem: "missing" });
      else if (size !== entry.size) results.push({ entry, ok: false, problem: `${size} bytes, the manifest says ${entry.size}` });
      else {
        const actual = await sha256File(path);
        results.push(actual === entry.sha256 ? { entry, ok: true } : { entry, ok: false, problem: `sha256 ${actual}` });
      }
    }
    return results;
  }

  /** Keeps the newest `keep` files per distribution; removes the rest and stray partial downloads. */
  async gc(keep: number): Promise<MediaEntry[]> {
    const removed: MediaEntry[] = [];
    await this.update((files) => {
      const byDistro = new Map<string, MediaEntry[]>();
      for (const file of files) byDistro.set(file.distro ?? "", [...(byDistro.get(file.distro ?? "") ?? []), file]);
      const kept: MediaEntry[] = [];
      for (const group of byDistro.values()) {
        const newest = [...group].sort((a, b) => b.fetchedAt.localeCompare(a.fetchedAt));
        kept.push(...newest.slice(0, keep));
        removed.push(...newest.slice(keep));
      }
      return kept;
    });
    for (const entry of removed) await rm(this.pathOf(entry.sha256), { force: true });
    await rm(join(this.dir, ".parts"), { recursive: true, force: true });
    return removed;
  }

  /** Files in the directory that the manifest does not know (interrupted writes of older versions). */
  async strays(): Promise<string[]> {
    const known = new Set((await this.entries()).map((e) => e.sha256));
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((name) => /^[0-9a-f]{64}$/.test(name) && !known.has(name));
  }

  private async update(change: (files: MediaEntry[]) => MediaEntry[]): Promise<void> {
    const lock = await acquireLock(join(this.dir, ".manifest.lock"), { timeoutMs: 60_000 });
    try {
      const files = change(await this.entries());
      await writeJsonAtomic(join(this.dir, "manifest.json"), { schemaVersion: 1, files });
    } finally {
      await lock.release();
    }
  }
}
