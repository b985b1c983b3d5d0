import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "@msf/ssh";
import { makeTempDir, startSshd, type TestSshd } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// `msf test --target` against a real sshd on loopback with a host key of its own: msf checks that key
// the way OpenSSH does (known_hosts, --host-key, trust on first use only when told).
const temp = makeTempDir();
const client = generateKeyPair("msf-test");
let sshd: TestSshd;
const keyFile = join(temp.path, "id_ed25519");
const config = join(temp.path, "accounts.json");

beforeAll(async () => {
  sshd = await startSshd(client.publicKey);
  writeFileSync(keyFile, client.privateKey, { mode: 0o600 });
  writeFileSync(config, JSON.stringify({ domain: "example.test", hostname: "mail.example.test", accounts: [{ address: "a@example.test", password: "pw-1" }] }));
});
afterAll(async () => {
  await sshd?.close();
  temp.remove();
});

let runs = 0;

/** Past SSH, the checks run against no mail server and fail (12); a refused host key stops before them (8). */
function msfTest(...extra: string[]) {
  const args = [
    "test",
    "--target",
    `ssh://root@127.0.0.1:${sshd.port}`,
    "--key",
    keyFile,
    "--smtp",
    "127.0.0.1:9",
    "--config",
    config,
    "--only",
    "smtp-ehlo",
    "--no-diagnostics",
  ];
  // A state directory per run: the cases run at the same time.
  runs += 1;
  const env = { ...process.env, MSF_HOME: join(temp.path, `home-${runs}`), HOME: join(temp.path, "user-home"), MSF_TIMEOUT_SCALE: "0.03" };
  return runMsfInProcess([...args, ...extra, "--json"], env);
}

// Each case runs msf (its checks fail fast against nothing) once or twice: 5-15 s on a busy 2-core host.
describe.concurrent("msf test --target: the server's host key", { timeout: 120_000 }, () => {
  it("refuses an unknown key, naming its fingerprint and the way to accept it", async () => {
    const run = await msfTest();
    expect(run.code, run.stdout).toBe(8);
    expect(run.last).toMatchObject({ code: "ERR_MSF_SSH", message: expect.stringContaining(`presented host key ${sshd.fingerprint}, which is not in`) });
    expect(String(run.last?.message)).toMatch(/--accept-new-host-key/);
    expect(run.lines.some((line) => line.type === "check")).toBe(false);
  });

  it("accepts the key known_hosts holds for [host]:port, and refuses a changed one", async () => {
    const known = join(temp.path, "known_hosts");
    writeFileSync(known, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const accepted = await msfTest("--known-hosts", known);
    expect(accepted.code, accepted.stdout).toBe(12);
    expect(accepted.lines.some((line) => line.type === "check" && line.id === "smtp-ehlo")).toBe(true);
    const other = generateKeyPair("another-server").publicKey;
    writeFileSync(known, `[127.0.0.1]:${sshd.port} ${other}\n`);
    const changed = await msfTest("--known-hosts", known);
    expect(changed.code).toBe(8);
    expect(String(changed.last?.message)).toMatch(/holds another key for \[127\.0\.0\.1\]:\d+: the key changed/);
  });

  it("takes --host-key SHA256:..., and refuses any other key with it", async () => {
    expect((await msfTest("--host-key", sshd.fingerprint)).code).toBe(12);
    const wrong = await msfTest("--host-key", `SHA256:${"A".repeat(43)}`);
    expect(wrong.code).toBe(8);
    expect(String(wrong.last?.message)).toContain(`presented host key ${sshd.fingerprint}, not SHA256:`);
  });

  it("trusts on first use only with --accept-new-host-key, says so, and records the key", async () => {
    const known = join(temp.path, "tofu_known_hosts");
    const first = await msfTest("--known-hosts", known, "--accept-new-host-key");
    expect(first.code, first.stdout).toBe(12);
    expect(first.lines.find((line) => line.type === "warning")?.message).toMatch(/trusted \[127\.0\.0\.1\]:\d+'s host key SHA256:.* on first use/);
    expect(existsSync(known)).toBe(true);
    expect(readFileSync(known, "utf8")).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey.split(" ").slice(0, 2).join(" ")}\n`);
    const again = await msfTest("--known-hosts", known);
    expect(again.code).toBe(12);
    expect(again.lines.some((line) => line.type === "warning")).toBe(false);
  });
});
