import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import type { Supervisor } from "@msf/supervisor";
import { dearmor } from "./armor.ts";

export interface SignatureCheck {
  /** The signed file (or the clearsigned file itself). */
  data: string;
  /** A detached signature; absent for a clearsigned file. */
  signature?: string;
  /** Armored public keys to trust (the catalog's keys). */
  keys: string[];
  /** Fingerprints the signing key must have (primary key or subkey); empty: any key in `keys`. */
  fingerprints?: string[];
  /** What is being checked, for messages (a URL). */
  what: string;
}

/** Pure: gpgv's `--status-fd` lines to a verdict. */
export function parseGpgvStatus(status: string): { good: boolean; fingerprint?: string; signingKey?: string; problem?: string } {
  // VALIDSIG <signing key fpr> <date> <time> <expires> <version> <reserved> <algo> <hash> <class> [<primary key fpr>]
  const valid = /^\[GNUPG:\] VALIDSIG ([0-9A-F]{40})((?: \S+)*)$/m.exec(status);
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

/** Verifies an OpenPGP signature with gpgv against exactly the given keys; a bad signature is a hard failure. */
export async function verifySignature(supervisor: Supervisor, check: SignatureCheck): Promise<{ fingerprint: string }> {
  const dir = await mkdtemp(join(tmpdir(), "msf-gpgv-"));
  try {
    const keyring = join(dir, "trusted.gpg");
    await writeFile(keyring, Buffer.concat(check.keys.map(dearmor)));
    const files = check.signature ? [check.signature, check.data] : [check.data];
    const result = await supervisor.run({
      name: "gpgv",
      command: "gpgv",
      args: ["--status-fd", "1", "--keyring", keyring, ...files],
      timeoutMs: 60_000,
      env: { GNUPGHOME: dir },
    });
    const verdict = parseGpgvStatus(result.stdout);
    if (!verdict.good || !verdict.fingerprint) throw signatureError(check, verdict.problem ?? "gpgv refused it", result.stderr);
    const expected = (check.fingerprints ?? []).map((f) => f.replace(/\s+/g, "").toUpperCase());
    if (expected.length && !expected.includes(verdict.fingerprint) && !expected.includes(verdict.signingKey ?? "")) {
      throw signatureError(check, `signed by ${verdict.fingerprint}, not by the catalog's key (${expected.join(", ")})`, "");
    }
    return { fingerprint: verdict.fingerprint };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function signatureError(check: SignatureCheck, problem: string, output: string): MsfError {
  return new MsfError("ERR_MSF_SIGNATURE", `bad signature on ${check.what}: ${problem}`, {
    hint: "do not use these files: the mirror may be compromised or out of date; try another mirror (--mirror)",
    details: { what: check.what, gpgv: output.trim().split("\n").slice(-5) },
  });
}
