import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server } from "node:net";
import { join } from "node:path";
import { connectSsh, generateKeyPair, openTunnel } from "@msf/ssh";
import { acquireLock } from "@msf/supervisor";
import { makeTempDir, startSshd } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Another account on the same host (created here, as root) must not be able to take msf's locks or
// use the tunnels msf opens to a server's loopback services while the checks run.
const OTHER = "msf-second-user";
const isRoot = process.getuid?.() === 0;
const temp = makeTempDir();

beforeAll(() => {
  if (!isRoot) return;
  chmodSync(temp.path, 0o755); // the other user may look, as in a shared host's state directory
  if (spawnSync("id", [OTHER]).status !== 0) execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER]);
});
afterAll(() => {
  if (isRoot) spawnSync("userdel", [OTHER]);
  temp.remove();
});

/** Runs a small Node script as the other user; resolves to what it printed. */
function asOther(script: string, ...args: string[]): string {
  const result = spawnSync("runuser", ["-u", OTHER, "--", process.execPath, "-e", script, ...args], { timeout: 30_000, encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim();
}

describe.skipIf(!isRoot)("a second local user (needs root to create one)", () => {
  it("cannot take or hold msf's locks", async () => {
    const path = join(temp.path, "run.lock");
    const lock = await acquireLock(path, { timeoutMs: 0 });
    await lock.release();
    // flock(1) as the other user: it cannot even open the 0600 lock file.
    const tried = spawnSync("runuser", ["-u", OTHER, "--", "flock", "-n", path, "sleep", "30"], { timeout: 30_000, encoding: "utf8" });
    expect(tried.status).not.toBe(0);
    expect(tried.stderr).toMatch(/Permission denied/);
    // Nor by squatting the abstract socket name msf's older locks used (sha256 of the path): the lock is still msf's.
    const squat = spawn(
      "runuser",
      [
        "-u",
        OTHER,
        "--",
        process.execPath,
        "-e",
        "const name = '\\0msf-lock:' + require('crypto').createHash('sha256').update(process.argv[1]).digest('hex').slice(0, 40); require('net').createServer().listen(name, () => console.log('bound'));",
        path,
      ],
      { detached: true },
    );
    try {
      await new Promise((resolve) => squat.stdout.once("data", resolve));
      await (await acquireLock(path, { timeoutMs: 0 })).release();
    } finally {
      process.kill(-(squat.pid as number), "SIGKILL"); // its whole group: runuser and the node it started
    }
  });

  it("cannot connect to a tunnel into the server (msf can)", async () => {
    const client = generateKeyPair("msf-test");
    const sshd = await startSshd(client.publicKey);
    // The "server's loopback service": an echo server on this host, reached through sshd.
    const echo: Server = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const session = await connectSsh(
      { host: "127.0.0.1", port: sshd.port, username: "root", privateKey: client.privateKey, hostKey: sshd.hostPublicKey },
      { timeoutMs: 30_000 },
    );
    const tunnel = await openTunnel(session, "127.0.0.1", (echo.address() as { port: number }).port);
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = netConnect({ path: tunnel.path }, () => socket.write("ping"));
        socket.once("data", (data) => {
          resolve(data.toString());
          socket.destroy();
        });
        socket.once("error", reject);
      });
      expect(reply).toBe("ping");
      const other = asOther(
        "const s = require('net').connect({ path: process.argv[1] }, () => console.log('connected')); s.on('error', (e) => console.log(e.code));",
        tunnel.path,
      );
      expect(other).toBe("EACCES");
    } finally {
      await tunnel.close();
      session.close();
      echo.close();
      await sshd.close();
    }
  });

  it("cannot plant a lock file for msf to trip over where it could write one", async () => {
    const shared = join(temp.path, "shared");
    execFileSync("install", ["-d", "-m", "1777", shared]);
    const planted = join(shared, "planted.lock");
    asOther("require('fs').writeFileSync(process.argv[1], '', { mode: 0o666 })", planted);
    await expect(acquireLock(planted, { timeoutMs: 0 })).rejects.toMatchObject({
      code: "ERR_MSF_LOCKED",
      message: expect.stringMatching(/belongs to user \d+, not to this user/),
    });
    writeFileSync(join(shared, "target"), "");
    asOther("require('fs').symlinkSync(process.argv[2], process.argv[1])", join(shared, "link.lock"), join(shared, "target"));
    // Refused however the kernel words it (a sticky directory's protected_symlinks says EACCES before O_NOFOLLOW says ELOOP).
    await expect(acquireLock(join(shared, "link.lock"), { timeoutMs: 0 })).rejects.toMatchObject({
      code: "ERR_MSF_LOCKED",
      message: expect.stringMatching(/cannot open the lock file .*link\.lock: (it is a symbolic link|EACCES)/),
    });
  });
});
