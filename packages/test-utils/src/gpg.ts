import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestGpgKey {
  /** The armored public key, as a user would pass it with --key. */
  publicKey: string;
  fingerprint: string;
  /** The text as gpg --clearsign writes it. */
  clearsign(text: string): string;
  /** A binary detached signature of the bytes. */
  detachSign(data: string | Buffer): Buffer;
  remove(): void;
}

/** A throwaway ed25519 signing key in its own GNUPGHOME, made by the real gpg (no passphrase, no agent left running). */
export function makeGpgKey(name = "msf test signer"): TestGpgKey {
  const home = mkdtempSync(join(tmpdir(), "msf-gpg-"));
  const gpg = (args: string[], input?: string | Buffer) =>
    execFileSync("gpg", ["--homedir", home, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", ...args], {
      input,
      timeout: 60_000,
      stdio: ["pipe", "pipe", "pipe"],
    });
  gpg(["--quick-gen-key", `${name} <signer@msf.test>`, "ed25519", "sign", "never"]);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(["--with-colons", "--fingerprint", "--list-keys"]).toString())?.[1] ?? "";
  const sign = (flag: string, data: string | Buffer) => {
    const input = join(home, "input");
    writeFileSync(input, data);
    gpg([flag, "--output", `${input}.out`, "--yes", input]);
    return readFileSync(`${input}.out`);
  };
  return {
    publicKey: gpg(["--armor", "--export", fingerprint]).toString(),
    fingerprint,
    clearsign: (text) => sign("--clearsign", text).toString(),
    detachSign: (data) => sign("--detach-sign", data),
    remove: () => {
      try {
        execFileSync("gpgconf", ["--homedir", home, "--kill", "all"], { timeout: 10_000, stdio: "ignore" });
      } catch {
        // no agent was started
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
