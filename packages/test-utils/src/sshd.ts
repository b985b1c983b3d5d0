import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./ports.ts";

export interface TestSshd {
  port: number;
  /** The server's host key as an OpenSSH public key line. */
  hostPublicKey: string;
  /** Its fingerprint as ssh-keygen -lf prints it (SHA256:...). */
  fingerprint: string;
  close(): Promise<void>;
}

/**
 * A real OpenSSH server on 127.0.0.1 (Debian's sshd, started by the test as root), with a host key of
 * its own and only `authorizedKey` allowed to log in as root. TCP forwarding on, passwords off.
 */
export async function startSshd(authorizedKey: string): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), "msf-sshd-"));
  const hostKey = join(dir, "ssh_host_ed25519_key");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey], { timeout: 30_000 });
  writeFileSync(join(dir, "authorized_keys"), `${authorizedKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    "AllowTcpForwarding yes",
  ].join("\n");
  writeFileSync(join(dir, "sshd_config"), `${config}\n`);
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // its privilege separation directory
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const close = async () => {
    child.kill("SIGKILL");
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve(undefined) : child.once("exit", resolve)));
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; !log.includes("Server listening"); i++) {
    if (child.exitCode !== null || i > 100) {
      await close();
      throw new Error(`sshd did not start: ${log}`);
    }
    await sleep(50);
  }
  const hostPublicKey = readFileSync(`${hostKey}.pub`, "utf8").trim();
  const fingerprint =
    execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`], { timeout: 10_000 })
      .toString()
      .split(" ")[1] ?? "";
  return { port, hostPublicKey, fingerprint, close };
}
