import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { catalog, type Distribution, findDistribution, type Lifecycle, lifecycleOf } from "@msf/catalog";
import { MsfError } from "@msf/core";
import type { MsfContext } from "@msf/supervisor";
import { checkCatalogUrls, type UrlCheck } from "./check-urls.ts";
import { requireDistribution } from "./distribution.ts";
import type { FetchEvent } from "./download.ts";
import { extractBootFiles } from "./extract.ts";
import { looksClearsigned, verifySigned } from "./gpg.ts";
import { fetchBuffer, fetchText, SIGNATURE_MAX_BYTES } from "./http.ts";
import { fetchDebianNetboot } from "./netboot.ts";
import { resolveMedia } from "./resolve.ts";
import { type MediaEntry, MediaStore } from "./store.ts";
import { type Checksum, checksumFor, parseChecksum, parseSums } from "./sums.ts";

export interface MediaRow {
  id: string;
  name: string;
  version: string;
  installer: Distribution["installer"];
  /** Also built from the package archive (msf's fast path). */
  bootstrap: boolean;
  approxSizeMiB?: number;
  /** Supported, ended or a moving target, with the end-of-life date. */
  lifecycle: Lifecycle;
  userProvided: boolean;
  cached: MediaEntry[];
}

export function mediaStore(ctx: MsfContext): MediaStore {
  return new MediaStore(ctx.paths.media);
}

export async function mediaList(ctx: MsfContext): Promise<MediaRow[]> {
  const entries = await mediaStore(ctx).entries();
  return catalog.map((d) => ({
    id: d.id,
    name: d.name,
    version: d.version,
    installer: d.installer,
    bootstrap: Boolean(d.bootstrap),
    approxSizeMiB: d.media?.approxSizeMiB,
    lifecycle: lifecycleOf(d),
    userProvided: Boolean(d.userProvided),
    cached: entries.filter((e) => e.distro === d.id && e.file.endsWith(".iso")),
  }));
}

/** Everything fetching media reports: downloads, a medium resolved from its signed checksums, the archive's chain. */
export type MediaEvent =
  | FetchEvent
  | { type: "resolved"; distro: string; file: string; url: string; signedBy?: string }
  | { type: "netboot-step"; step: string; detail: string };

export interface MediaFetchOptions {
  ids: string[];
  /** A mirror (or local copy) tried before the catalog's directories. */
  mirror?: string;
  /** Media outside the catalog (or a user-provided ISO, with the distribution id in `ids`). */
  url?: string;
  checksum?: string;
  sums?: string;
  sig?: string;
  key?: string;
  /** Read an unsigned checksum file fetched over plain http (anyone on the path could have changed it). */
  allowUnsignedSums?: boolean;
  /** Downloads at once. */
  concurrency?: number;
  onEvent?: (event: MediaEvent) => void;
}

export interface FetchedMedia {
  distro: string;
  file: string;
  path: string;
  sha256: string;
  size: number;
  fromCache: boolean;
}

/** Resolves (signed checksums) and downloads media into the content-addressed cache, a few at a time. */
export async function mediaFetch(ctx: MsfContext, options: MediaFetchOptions): Promise<FetchedMedia[]> {
  const store = mediaStore(ctx);
  if (options.url) {
    const distro = options.ids[0] ?? "custom";
    const expected = await customChecksum(ctx, options);
    const file = basename(new URL(options.url).pathname);
    const fetched = await store.fetch({ urls: [options.url], expected, file, distro, onEvent: options.onEvent, signal: ctx.signal });
    return [{ distro, file, path: fetched.path, sha256: fetched.entry.sha256, size: fetched.entry.size, fromCache: fetched.fromCache }];
  }
  if (options.ids.length === 0) throw new MsfError("ERR_MSF_USAGE", "name the distributions to fetch (msf iso list shows them), or give --url");
  const distributions = options.ids.map(requireDistribution);
  const queue = [...distributions];
  const results: FetchedMedia[] = [];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const media = await resolveMedia(d, { supervisor: ctx.supervisor, mirror: options.mirror, signal: ctx.signal });
      options.onEvent?.({ type: "resolved", distro: d.id, file: media.file, url: media.urls[0] as string, signedBy: media.signedBy });
      const fetched = await store.fetch({
        urls: media.urls,
        expected: media.expected,
        file: media.file,
        distro: d.id,
        onEvent: options.onEvent,
        signal: ctx.signal,
      });
      results.push({
        distro: d.id,
        file: media.file,
        path: fetched.path,
        sha256: fetched.entry.sha256,
        size: fetched.entry.size,
        fromCache: fetched.fromCache,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, queue.length) }, worker));
  return results;
}

/**
 * The checksum of media outside the catalog: given literally, or read from a SUMS file. With --key
 * the file must be signed (clearsigned, or by --sig) and only its signed text is read; an unsigned
 * file over plain http is refused unless the user says --allow-unsigned-sums.
 */
async function customChecksum(ctx: MsfContext, options: MediaFetchOptions): Promise<Checksum> {
  if (options.checksum) return parseChecksum(options.checksum);
  if (!options.sums) throw new MsfError("ERR_MSF_USAGE", "--url needs --checksum sha256:HEX or --sums URL (nothing unverified is cached)");
  if (options.sig && !options.key) throw new MsfError("ERR_MSF_USAGE", "--sig needs --key FILE (the public key that signs the SUMS file)");
  const fetched = await fetchText(options.sums, { signal: ctx.signal });
  let text = fetched;
  if (options.key) {
    if (!options.sig && !looksClearsigned(fetched)) {
      throw new MsfError("ERR_MSF_SIGNATURE", `${options.sums} is not clearsigned, and no --sig was given for it`, {
        hint: "give its detached signature with --sig URL, or drop --key if the file is not signed",
      });
    }
    const signature = options.sig ? await fetchBuffer(options.sig, { signal: ctx.signal, maxBytes: SIGNATURE_MAX_BYTES }) : undefined;
    const keys = [await readFile(options.key, "utf8")];
    text = (await verifySigned(ctx.supervisor, { text: fetched, signature, keys, what: options.sums })).text;
  } else if (new URL(options.sums).protocol === "http:" && !options.allowUnsignedSums) {
    throw new MsfError("ERR_MSF_SIGNATURE", `${options.sums} is an unsigned checksum file over plain http: anyone on the way could have changed it`, {
      hint: "verify it: --key FILE (clearsigned) or --sig URL --key FILE; or give --checksum sha256:HEX; or, knowingly, --allow-unsigned-sums",
    });
  }
  const file = basename(new URL(options.url as string).pathname);
  const entry = checksumFor(parseSums(text), file);
  if (!entry) throw new MsfError("ERR_MSF_DOWNLOAD", `${options.sums} lists no checksum for ${file}${options.key ? " in its signed text" : ""}`);
  return entry;
}

/** Re-hashes the cache against its manifest. */
export async function mediaVerify(ctx: MsfContext, ids: string[]) {
  return mediaStore(ctx).verify((entry) => ids.length === 0 || ids.includes(entry.distro ?? ""));
}

export async function mediaGc(ctx: MsfContext, keep: number): Promise<MediaEntry[]> {
  return mediaStore(ctx).gc(keep);
}

/** The installer's kernel and initrd from a distribution's cached ISO (fetched first if needed). */
export async function mediaExtract(ctx: MsfContext, options: { id: string; out: string; mirror?: string; onEvent?: MediaFetchOptions["onEvent"] }) {
  const distribution = findDistribution(options.id);
  if (!distribution?.media) throw new MsfError("ERR_MSF_NOT_FOUND", `${options.id} has no install media in the catalog`, { hint: "msf iso list" });
  return extractBootFiles(ctx.supervisor, await mediaIso(ctx, options), distribution.media.boot, options.out);
}

/** The path of a distribution's newest cached ISO, fetched (and verified) first when there is none. */
export async function mediaIso(ctx: MsfContext, options: { id: string; mirror?: string; onEvent?: MediaFetchOptions["onEvent"] }): Promise<string> {
  const cached = (await mediaStore(ctx).entries())
    .filter((e) => e.distro === options.id && e.file.endsWith(".iso"))
    .sort((a, b) => b.fetchedAt.localeCompare(a.fetchedAt))[0];
  const iso = cached
    ? mediaStore(ctx).pathOf(cached.sha256)
    : (await mediaFetch(ctx, { ids: [options.id], mirror: options.mirror, onEvent: options.onEvent }))[0]?.path;
  if (!iso) throw new MsfError("ERR_MSF_NOT_FOUND", `no ISO of ${options.id}`);
  return iso;
}

/** Debian's installer netboot kernel and initrd, verified along the archive's signed chain. */
export async function mediaNetboot(ctx: MsfContext, options: { id: string; out: string; mirror?: string; onEvent?: (event: MediaEvent) => void }) {
  const distribution = findDistribution(options.id);
  if (!distribution?.bootstrap || distribution.installer !== "preseed")
    throw new MsfError("ERR_MSF_USAGE", `${options.id}: netboot files come from Debian's archive (debian-11, -12, -13)`);
  return fetchDebianNetboot({
    supervisor: ctx.supervisor,
    store: mediaStore(ctx),
    mirror: options.mirror ?? distribution.bootstrap.mirror,
    suite: distribution.bootstrap.suite,
    version: distribution.version,
    out: options.out,
    onEvent: options.onEvent,
    signal: ctx.signal,
  });
}

export async function mediaCheckUrls(ctx: MsfContext, onResult?: (check: UrlCheck) => void): Promise<UrlCheck[]> {
  return checkCatalogUrls(catalog, ctx.supervisor, onResult);
}
