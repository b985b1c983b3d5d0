import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import {
  commandText,
  connectSsh,
  fingerprintOf,
  generateKeyPair,
  knownHostKeys,
  knownHostsLine,
  publicKeyBlob,
  readBanner,
  remoteCommandLine,
  type SshSession,
  sh,
  shellQuote,
  waitForBanner,
  waitForSshSocket,
} from "@msf/ssh";
import { makeTempDir, startSshd } from "@msf/test-utils";
import ssh2 from "ssh2";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
let server: Server | undefined;
afterEach(() => {
  temp?.remove();
  server?.close();
});

function listen(onConnection: Parameters<typeof createServer>[1]): Promise<number> {
  return new Promise((resolve) => {
    // The test's own end of a connection: msf's side resets it on purpose (a deadline, a closed attempt).
    const listening = createServer((socket) => {
      socket.on("error", () => {});
      onConnection?.(socket);
    });
    server = listening;
    listening.listen(0, "127.0.0.1", () => resolve((listening.address() as { port: number }).port));
  });
}

describe("shellQuote", () => {
  it("round-trips awkward words through a real shell", () => {
    const words = ["plain", "with space", "it's", 'dq"', "$HOME", "`id`", "a;b|c&d", "", "glob*", "new\nline"];
    const echoed = execFileSync("sh", ["-c", `printf '%s\\0' ${shellQuote(words)}`]).toString();
    expect(echoed.split("\0").slice(0, -1)).toEqual(words);
  });

  it("wraps remote commands in a timeout", () => {
    expect(remoteCommandLine(["systemctl", "is-system-running"], 30_000)).toBe("timeout --kill-after=5 30 systemctl is-system-running");
    expect(remoteCommandLine(sh`exit 3`, 1_500)).toBe("timeout --kill-after=5 2 sh -c 'exit 3'");
  });

  it("will not take a bare string as a remote command (the types refuse it)", () => {
    const typeOnly = (session: SshSession) => {
      // @ts-expect-error a string is not a command: argv, or a script made with sh
      void session.exec("rm -rf /tmp/x", { timeoutMs: 1 });
      void session.exec(["rm", "-rf", "/tmp/x"], { timeoutMs: 1 });
    };
    expect(typeOnly).toBeTypeOf("function");
  });

  it("sh quotes every value it interpolates, lists as words, nested scripts as written", () => {
    const hostile = ["$(reboot)", "a b", "it's", "`id`", "x;y"];
    const script = sh`printf '%s\\0' ${hostile[0] as string} ${hostile.slice(1)}; ${sh`true`}`;
    const echoed = execFileSync("sh", ["-c", script.text]).toString();
    expect(echoed.split("\0").slice(0, -1)).toEqual(hostile);
    expect(commandText(["a b", "c"])).toBe("'a b' c");
  });
});

describe("keys", () => {
  it("makes ed25519 pairs that OpenSSH accepts", () => {
    temp = makeTempDir();
    const pair = generateKeyPair("msf@test");
    const path = join(temp.path, "id");
    writeFileSync(path, pair.privateKey, { mode: 0o600 });
    const derived = execFileSync("ssh-keygen", ["-y", "-f", path]).toString().trim();
    expect(pair.publicKey.startsWith(derived)).toBe(true);
    expect(pair.publicKey).toMatch(/^ssh-ed25519 \S+ msf@test$/);
    expect(publicKeyBlob(pair.publicKey).subarray(4, 15).toString()).toBe("ssh-ed25519");
    expect(generateKeyPair("x").privateKey).not.toBe(pair.privateKey);
  });

  it("keeps a public key's leading zero byte (ssh2's own generator drops it, and OpenSSH refuses the key)", () => {
    temp = makeTempDir();
    // About 1 key in 256 starts with a zero byte; 5000 draws miss one with odds of e^-19.
    const pair = Array.from({ length: 5000 }, () => generateKeyPair("msf@zero")).find((candidate) => publicKeyBlob(candidate.publicKey)[19] === 0);
    if (!pair) throw new Error("no key with a leading zero byte in 5000 draws");
    expect(publicKeyBlob(pair.publicKey)).toHaveLength(4 + 11 + 4 + 32);
    const path = join(temp.path, "id");
    writeFileSync(path, pair.privateKey, { mode: 0o600 });
    expect(execFileSync("ssh-keygen", ["-y", "-f", path]).toString().trim()).toBe(pair.publicKey);
    // The client side (ssh2) must read the same private key.
    expect(ssh2.utils.parseKey(pair.privateKey)).not.toBeInstanceOf(Error);
  });

  it("writes known_hosts lines for non-standard ports", () => {
    expect(knownHostsLine("127.0.0.1", 2222, "ssh-ed25519 AAAA comment")).toBe("[127.0.0.1]:2222 ssh-ed25519 AAAA\n");
  });
});

describe("banner probes", () => {
  it("does not take an accepted-then-closed connection (QEMU's user network before sshd listens) for SSH", async () => {
    const port = await listen((socket) => socket.destroy());
    await expect(readBanner("127.0.0.1", port, 2_000)).rejects.toThrow(/closed the connection before an SSH banner/);
  });

  it("waits for a banner that comes late, and retries until the server answers", async () => {
    let connections = 0;
    const port = await listen((socket) => {
      connections++;
      if (connections < 3) socket.destroy();
      else setTimeout(() => socket.end("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), 100);
    });
    const { banner, attempts } = await waitForBanner("127.0.0.1", port, { timeoutMs: 10_000, intervalMs: 20 });
    expect(banner).toBe("SSH-2.0-OpenSSH_9.2p1 Debian-2");
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it("does not let a stalled attempt hold up a fresh one, and closes the losers", async () => {
    const sockets: Array<{ destroyed: boolean }> = [];
    const port = await listen((socket) => {
      sockets.push(socket);
      if (sockets.length === 1) return; // like a SYN still in retries: connected, never answers
      socket.write("SSH-2.0-OpenSSH_10.0\r\n");
    });
    const opened = await waitForSshSocket("127.0.0.1", port, { intervalMs: 20, attemptTimeoutMs: 60_000 });
    expect(opened.banner).toBe("SSH-2.0-OpenSSH_10.0");
    expect(opened.attempts).toBeGreaterThanOrEqual(2);
    // The winning socket is handed over paused, with the banner pushed back for the SSH client.
    expect(opened.socket.isPaused()).toBe(true);
    expect(opened.socket.read()?.toString()).toBe("SSH-2.0-OpenSSH_10.0\r\n");
    opened.socket.destroy();
  });

  it("gives up at the deadline and says how often it tried", async () => {
    const port = await listen((socket) => socket.destroy());
    const error = await waitForBanner("127.0.0.1", port, { timeoutMs: 300, intervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_TIMEOUT" });
    expect(String((error as Error).cause)).toMatch(/attempts; last: .*closed the connection before an SSH banner/);
  });
});

describe("known_hosts and fingerprints", () => {
  it("fingerprints a key as ssh-keygen does, and finds it under plain, [host]:port, hashed and @revoked entries", () => {
    temp = makeTempDir();
    const pair = generateKeyPair("host");
    const pub = join(temp.path, "key.pub");
    writeFileSync(pub, `${pair.publicKey}\n`);
    const expected = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", pub]).toString().split(" ")[1];
    expect(fingerprintOf(publicKeyBlob(pair.publicKey))).toBe(expected);
    const known = join(temp.path, "known_hosts");
    writeFileSync(known, `mail.example.test ${pair.publicKey}\n[127.0.0.1]:2222 ${pair.publicKey}\n`);
    execFileSync("ssh-keygen", ["-H", "-f", known], { stdio: "ignore" });
    const hashed = execFileSync("cat", [known]).toString();
    expect(hashed).not.toContain("mail.example.test");
    expect(knownHostKeys(hashed, "mail.example.test", 22).map((k) => k.blob)).toEqual([publicKeyBlob(pair.publicKey)]);
    expect(knownHostKeys(hashed, "127.0.0.1", 2222)).toHaveLength(1);
    expect(knownHostKeys(hashed, "127.0.0.1", 22)).toEqual([]);
    const revoked = knownHostKeys(`@revoked mail.example.test ${pair.publicKey}\n@cert-authority * ${pair.publicKey}\n`, "mail.example.test", 22);
    expect(revoked).toEqual([expect.objectContaining({ revoked: true })]);
  });
});

describe("exec against a real sshd", () => {
  it("keeps a bounded amount of output and says how much it dropped", async () => {
    const client = generateKeyPair("msf-test");
    const sshd = await startSshd(client.publicKey);
    try {
      const session = await connectSsh(
        { host: "127.0.0.1", port: sshd.port, username: "root", privateKey: client.privateKey, hostKey: sshd.hostPublicKey },
        { timeoutMs: 30_000 },
      );
      const result = await session.exec(["sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' y"], { timeoutMs: 30_000, maxOutputBytes: 1_000_000 });
      session.close();
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`${"y".repeat(1_000_000)}\n[output cut: 4000000 more bytes]`);
    } finally {
      await sshd.close();
    }
  });
});
