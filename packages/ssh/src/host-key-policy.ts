import { appendFile, mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { MsfError } from "@msf/core";
import { fingerprintOf, hostKeyAlgorithmsFor, keyTypeOf, knownHostKeys, knownHostsName } from "./known-hosts.ts";

export interface HostKeyOptions {
  /** known_hosts to read (default ~/.ssh/known_hosts). */
  knownHosts?: string;
  /** `SHA256:...`: the one key to accept, whatever known_hosts says. */
  hostKey?: string;
  /** Trust an unknown key on first use and record it in known_hosts. */
  acceptNew?: boolean;
}

export interface HostKeyPolicy {
  check: (blob: Buffer) => string | undefined;
  algorithms?: string[];
  /** After a successful login: records a key accepted on first use; says what it did, if anything. */
  commit: () => Promise<string | undefined>;
}

/**
 * How `msf test --target` decides on a server's host key, like OpenSSH with StrictHostKeyChecking:
 * a key given with --host-key, else the keys of known_hosts for host:port; an unknown key is refused
 * unless --accept-new-host-key (then recorded), a changed or revoked one always. Errors carry the
 * fingerprint the server presented.
 */
export async function hostKeyPolicy(host: string, port: number, options: HostKeyOptions): Promise<HostKeyPolicy> {
  const file = options.knownHosts ?? join(homedir(), ".ssh", "known_hosts");
  const name = knownHostsName(host, port);
  if (options.hostKey) {
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(options.hostKey)) {
      throw new MsfError("ERR_MSF_USAGE", `--host-key ${options.hostKey}: expected SHA256:<43 base64 characters>, as ssh-keygen -lf prints it`);
    }
    return {
      check: (blob) => (fingerprintOf(blob) === options.hostKey ? undefined : `presented host key ${fingerprintOf(blob)}, not ${options.hostKey} (--host-key)`),
      commit: async () => undefined,
    };
  }
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw new MsfError("ERR_MSF_USAGE", `cannot read ${file}: ${error.message}`, { hint: "--known-hosts FILE" });
  });
  const known = knownHostKeys(text, host, port);
  const trusted = known.filter((key) => !key.revoked);
  let accepted: Buffer | undefined;
  const check = (blob: Buffer): string | undefined => {
    const fingerprint = fingerprintOf(blob);
    if (known.some((key) => key.revoked && key.blob.equals(blob))) return `presented host key ${fingerprint}, which ${file} marks @revoked`;
    if (trusted.some((key) => key.blob.equals(blob))) return undefined;
    if (trusted.length) {
      return `presented host key ${fingerprint}, but ${file} holds another key for ${name}: the key changed, or this is another server (if the change is expected: ssh-keygen -R '${name}' -f ${file})`;
    }
    if (options.acceptNew) {
      accepted = blob;
      return undefined;
    }
    return `presented host key ${fingerprint}, which is not in ${file}: check it out of band, then pass --host-key ${fingerprint}, or --accept-new-host-key to trust it on first use`;
  };
  return {
    check,
    // Offer only the algorithms of the keys we know, so the server shows one of those (OpenSSH does the same).
    algorithms: trusted.length ? hostKeyAlgorithmsFor(trusted.map((key) => key.type)) : undefined,
    commit: async () => {
      if (!accepted) return undefined;
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await appendFile(file, `${name} ${keyTypeOf(accepted)} ${accepted.toString("base64")}\n`, { mode: 0o600 });
      return `trusted ${name}'s host key ${fingerprintOf(accepted)} on first use (--accept-new-host-key) and recorded it in ${file}`;
    },
  };
}
