import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { dearmor } from "./armor.ts";

export interface SignedInput {
  /** The signed file as fetched: clearsigned, or the data a detached signature covers. */
  text: string | Uint8Array;
  /** A detached signature; absent for a clearsigned file. */
  signature?: Uint8Array;
  /** Armored public keys to trust (the catalog's keys, or the user's --key). */
  keys: string[];
  /** Fingerprints the signing key must have (primary key or subkey); empty: any key in `keys`. */
  fingerprints?: string[];
  /** What is being checked, for messages (a URL). */
  what: string;
}

export interface VerifiedText {
  /** Only the bytes the signature covers, as gpgv wrote them out: the one thing callers may parse. */
  text: string;
  fingerprint: string;
}

const BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----";
const END_SIGNATURE = "-----END PGP SIGNATURE-----";

/** Pure: does the text hold a PGP clearsigned message (anywhere)? */
export function looksClearsigned(text: string): boolean {
  return new RegExp(`^${BEGIN_SIGNED}\\r?$`, "m").test(text);
}

/**
 * Pure: the problem with a clearsigned file, if any. gpgv accepts a good signature whatever text
 * surrounds the armor, and that text is not signed: anything but white space before the message or
 * after its signature, or a second signed message, is refused rather than ignored.
 */
export function clearsignedProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith(BEGIN_SIGNED)) return "it has unsigned text before the signed message";
  if (!trimmed.endsWith(END_SIGNATURE)) return "it has unsigned text after the signature";
  const messages = trimmed.match(new RegExp(`^${BEGIN_SIGNED}\\r?$`, "gm")) ?? [];
  if (messages.length !== 1) return `it holds ${messages.length} signed messages`;
  return undefined;
}

/** Pure: gpgv's `--status-fd` lines to a verdict. */
export function parseGpgvStatus(status: string): { good: boolean; fingerprint?: string; signingKey?: string; problem?: string } {
  // VALIDSIG <signing key fpr> <date> <time> <expires> <version> <reserved> <algo> <hash> <class> [<primary key fpr>]
  const valid = /^\[GNUPG:\] VALIDSIG ([0-9A-F]{40})((?: \S+)*)$/m.exec(status);
  if (/^\[GNUPG:\] ERROR /m.test(status)) return { good: false, problem: "gpgv reported an error reading it (malformed or more than one message)" };
  if (/^\[GNUPG:\] GOODSIG /m.test(status) && valid) {
    const primary = /([0-9A-F]{40})$/.exec((valid[2] ?? "").trim())?.[1];
    return { good: true, fingerprint: primary ?? valid[1], signingKey: valid[1] };
  }
  if (/^\[GNUPG:\] BADSIG /m.test(status)) return { good: false, problem: "the signature does not match the data (BADSIG)" };
  const missing = /^\[GNUPG:\] NO_PUBKEY (\S+)/m.exec(status);
  if (missing) return { good: false, problem: `signed by key ${missing[1]}, which is not among the trusted keys` };
  if (/^\[GNUPG:\] (EXPKEYSIG|REVKEYSIG)/m.test(status)) return { good: false, problem: "signed with an expired or revoked key" };
  return { good: false, problem: "no valid signature found" };
}

/**
 * The one way msf reads a signed text (SUMS, CHECKSUM, InRelease): gpgv checks it against exactly
 * the given keys and writes out what the signature covers; only those bytes come back. A clearsigned
 * file with unsigned text around its armor is refused. A bad signature is a hard failure.
 */
export async function verifySigned(supervisor: Supervisor, input: SignedInput): Promise<VerifiedText> {
  const raw = Buffer.from(input.text);
  if (!input.signature) {
    const problem = clearsignedProblem(raw.toString("utf8"));
    if (problem) throw signatureError(input.what, `${problem}; only a file that is one clearsigned message is read`, "");
  }
  const dir = await mkdtemp(join(tmpdir(), "msf-gpgv-"));
  try {
    const keyring = join(dir, "trusted.gpg");
    const data = join(dir, "data");
    const out = join(dir, "verified");
    await writeFile(keyring, Buffer.concat(input.keys.map(dearmor)));
    await writeFile(data, raw);
    const files = [data];
    if (input.signature) {
      await writeFile(join(dir, "data.sig"), input.signature);
      files.unshift(join(dir, "data.sig"));
    }
    const result = await supervisor.run({
      name: "gpgv",
      command: "gpgv",
      // --output: for a clearsigned file, the signed text alone (dash-escaping undone by gpgv itself).
      args: ["--status-fd", "1", "--keyring", keyring, ...(input.signature ? [] : ["--output", out]), ...files],
      timeoutMs: 60_000,
      env: { GNUPGHOME: dir },
    });
    const verdict = parseGpgvStatus(result.stdout);
    if (!verdict.good || !verdict.fingerprint || result.exitCode !== 0) {
      throw signatureError(input.what, verdict.problem ?? `gpgv exited with ${result.exitCode ?? result.signal}`, result.stderr);
    }
    const expected = (input.fingerprints ?? []).map((f) => f.replace(/\s+/g, "").toUpperCase());
    if (expected.length && !expected.includes(verdict.fingerprint) && !expected.includes(verdict.signingKey ?? "")) {
      throw signatureError(input.what, `signed by ${verdict.fingerprint}, not by the catalog's key (${expected.join(", ")})`, "");
    }
    const text = input.signature ? raw.toString("utf8") : await readFile(out, "utf8");
    return { text, fingerprint: verdict.fingerprint };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function signatureError(what: string, problem: string, output: string): MsfError {
  return new MsfError("ERR_MSF_SIGNATURE", `bad signature on ${what}: ${problem}`, {
    hint: "do not use these files: the mirror may be compromised or out of date; try another mirror (--mirror)",
    details: { what, gpgv: output.trim().split("\n").slice(-5) },
  });
}
