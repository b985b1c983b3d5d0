import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@msf/core";
import { generateKeyPair, knownHostsLine } from "@msf/ssh";

export interface VmCredentials {
  /** Client key for root, made for this VM only. */
  keyPath: string;
  publicKey: string;
  /** The VM's SSH host key (private half goes to the guest through fw_cfg). */
  hostKeyPath: string;
  hostPublicKey: string;
  authorizedKeysPath: string;
}

/** Fresh key pairs for one VM, written 0600 into its directory; nothing is shared between VMs. */
export async function makeVmCredentials(dir: string, name: string): Promise<VmCredentials> {
  const client = generateKeyPair(`msf@${name}`);
  const host = generateKeyPair(`msf-host@${name}`);
  const paths = { keyPath: join(dir, "id_ed25519"), hostKeyPath: join(dir, "ssh_host_ed25519_key"), authorizedKeysPath: join(dir, "authorized_keys") };
  await writeFileAtomic(paths.keyPath, client.privateKey, 0o600);
  await writeFileAtomic(`${paths.keyPath}.pub`, `${client.publicKey}\n`);
  await writeFileAtomic(paths.authorizedKeysPath, `${client.publicKey}\n`);
  await writeFileAtomic(paths.hostKeyPath, host.privateKey, 0o600);
  return { ...paths, publicKey: client.publicKey, hostPublicKey: host.publicKey };
}

/** A running VM's credentials, as makeVmCredentials wrote them (for booting it again). */
export async function readVmCredentials(dir: string, hostPublicKey: string): Promise<VmCredentials> {
  const keyPath = join(dir, "id_ed25519");
  return {
    keyPath,
    publicKey: (await readFile(`${keyPath}.pub`, "utf8")).trim(),
    hostKeyPath: join(dir, "ssh_host_ed25519_key"),
    hostPublicKey,
    authorizedKeysPath: join(dir, "authorized_keys"),
  };
}

/** The files makeVmCredentials writes (the private keys among them). */
export const CREDENTIAL_FILES = ["id_ed25519", "id_ed25519.pub", "ssh_host_ed25519_key", "authorized_keys"] as const;

/** Removes a VM's (or an install's) keys: nothing can log in with them afterwards. */
export async function removeCredentials(dir: string): Promise<void> {
  await Promise.all(CREDENTIAL_FILES.map((file) => rm(join(dir, file), { force: true })));
}

export async function writeKnownHosts(path: string, port: number, hostPublicKey: string): Promise<void> {
  await writeFileAtomic(path, knownHostsLine("127.0.0.1", port, hostPublicKey));
}

/** Unix socket paths are limited to 107 bytes: deep state directories get a short one in /tmp. */
export function qmpSocketPath(dir: string): string {
  const local = join(dir, "qmp.sock");
  if (Buffer.byteLength(local) <= 100) return local;
  return join(tmpdir(), `msf-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.qmp`);
}
