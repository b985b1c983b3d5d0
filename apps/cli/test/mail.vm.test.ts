import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive, processGroupMembers } from "@msf/core";
import { requireDistribution } from "@msf/iso";
import { findImage } from "@msf/qemu";
import { connectSsh } from "@msf/ssh";
import { createContext } from "@msf/supervisor";
import { debian12Key, qemuProcessesUnder, runMsf, vmTestHome } from "@msf/test-utils";
import { loadDeployment, loadSecrets, machineFingerprint, mailDeploy, mailDir, mailTest, requireVm, saveSnapshot, vmDown, vmExec, vmRestore } from "@msf/vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A real Debian 12 VM through the real `msf` command, one VM for the whole file: vm up, ssh and ps;
// the mail stack's deploy, every check, idempotence, the same checks as --target; a ready snapshot
// of it restored twice; the stack broken on purpose piece by piece, other deployers; then vm down.
const home = vmTestHome();
const msf = (...args: string[]) => runMsf(args, home.env, 900_000);
const vmDir = join(home.home, "vms", "debian-12");

interface Check {
  id: string;
  status: string;
  message: string;
  evidence: string[];
  durationMs: number;
}
interface Deployed {
  steps: Array<{ name: string; changed: string[] }>;
  deployer: { kind: string; exitCode?: number };
}
interface UpResult {
  pid: number;
  ports: Record<string, number>;
  ssh: { port: number; keyPath: string };
  phases: Record<string, { atMs: number }>;
  readyMs: number;
}
interface ProcessJson {
  name: string;
  pid: number;
  rssBytes: number;
  cpuSeconds: number;
  timeoutLeftMs: number;
}
const checksOf = (run: Awaited<ReturnType<typeof msf>>) => (run.last?.checks ?? []) as Check[];
const statusOf = (run: Awaited<ReturnType<typeof msf>>) => Object.fromEntries(checksOf(run).map((c) => [c.id, c.status]));

let up: Awaited<ReturnType<typeof msf>>;
let vm: UpResult;

beforeAll(async () => {
  up = await msf("vm", "up", "debian-12", "--json", "--ttl", "60m");
  if (up.code !== 0) throw new Error(`vm up failed: ${up.stderr}${up.stdout.slice(-2000)}`);
  vm = up.last as unknown as UpResult;
}, 900_000);

afterAll(async () => {
  if (vm?.pid && isProcessAlive(vm.pid)) await msf("vm", "down", "debian-12", "--grace", "10s");
  home.remove();
});

describe("msf vm up / ssh / ps", () => {
  it("vm up --json prints one event per line and ends with the VM's endpoint and readiness times", () => {
    expect(up.lines.every((line) => line.schemaVersion === 1 && typeof line.type === "string")).toBe(true);
    const phases = up.lines.filter((line) => line.type === "phase").map((line) => line.phase);
    expect(phases).toEqual(["process", "kernel", "ssh-banner", "ssh-auth", "system"]);
    expect(vm).toMatchObject({ type: "result", name: "debian-12", distro: "debian-12", alreadyRunning: false, ssh: { host: "127.0.0.1", user: "root" } });
    expect(vm.ssh.port).toBe(vm.ports.ssh);
    expect(vm.ssh.keyPath).toMatch(/id_ed25519$/);
    expect(Object.keys(vm.phases)).toEqual(["process", "kernel", "ssh-banner", "ssh-auth", "system"]);
    expect(vm.readyMs).toBe(vm.phases.system?.atMs);
  });

  it("vm up again finds the running VM instead of starting another", async () => {
    const again = await msf("vm", "up", "debian-12", "--json");
    expect(again.code).toBe(0);
    expect(again.last).toMatchObject({ alreadyRunning: true, pid: vm.pid, ports: vm.ports });
  });

  it("vm ssh runs a command and passes its exit code through", async () => {
    const running = await msf("vm", "ssh", "debian-12", "--", "systemctl", "is-system-running");
    expect(running).toMatchObject({ code: 0, stdout: "running\n" });
    const failing = await msf("vm", "ssh", "debian-12", "echo oops >&2; exit 7");
    expect(failing.code).toBe(7);
    expect(failing.stderr).toContain("oops");
  });

  it("ps shows the VM's QEMU with cpu, memory and the time it has left", async () => {
    const ps = await msf("ps", "--json");
    const qemu = ((ps.last?.processes ?? []) as ProcessJson[]).find((p) => p.name === "qemu-debian-12");
    expect(qemu).toMatchObject({ pid: vm.pid, state: "running", ownerPid: null, timeoutMs: 60 * 60_000 });
    expect(qemu?.rssBytes).toBeGreaterThan(100 * 2 ** 20);
    expect(qemu?.cpuSeconds).toBeGreaterThan(0);
    expect(qemu?.timeoutLeftMs).toBeGreaterThan(0);
    expect(qemu?.timeoutLeftMs).toBeLessThan(60 * 60_000);
  });
});

describe("msf deploy + msf test on a real Debian 12 VM", () => {
  it("deploys every step of the built-in recipe", async () => {
    const firstDeploy = await msf("deploy", "debian-12", "--json");
    expect(firstDeploy.code, firstDeploy.stderr).toBe(0);
    const result = firstDeploy.last as unknown as Deployed;
    expect(result.steps.map((s) => s.name)).toEqual([
      "packages",
      "systemd",
      "vmail",
      "tls",
      "postgresql",
      "postfix",
      "redis",
      "clamav",
      "rspamd",
      "dovecot",
      "verify",
    ]);
    expect(result.steps.find((s) => s.name === "postfix")?.changed.length).toBeGreaterThan(0);
  });

  it("passes every acceptance check, each with its time and evidence", async () => {
    const run = await msf("test", "debian-12", "--json");
    const checks = checksOf(run);
    expect(checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(run.code).toBe(0);
    expect(checks.map((c) => c.id)).toEqual([
      "readiness",
      "listening",
      "tls",
      "smtp-ehlo",
      "auth-placement",
      "size-limit",
      "open-relay",
      "unknown-recipient",
      "sender-spoofing",
      "auth-good",
      "auth-bad",
      "delivery",
      "alias",
      "spam-gtube",
      "virus-eicar",
      "dkim",
      "clamd",
      "rspamd-redis",
      "postgresql",
      "clean-logs",
    ]);
    for (const check of checks) {
      expect(check.durationMs, check.id).toBeGreaterThan(0);
      if (check.id !== "clean-logs") expect(check.evidence.length, check.id).toBeGreaterThan(0);
    }
    // No credential in the evidence: the test accounts' passwords are masked everywhere.
    const secrets = JSON.parse(readFileSync(join(vmDir, "mail", "secrets.json"), "utf8")) as { passwords: Record<string, string> };
    const evidence = JSON.stringify(checks);
    for (const password of Object.values(secrets.passwords)) expect(evidence).not.toContain(password);
  });

  it("deploys again without changing anything", async () => {
    const again = await msf("deploy", "debian-12", "--json");
    expect(again.code, again.stderr).toBe(0);
    expect((again.last as unknown as Deployed).steps.filter((s) => s.changed.length)).toEqual([]);
  });

  it("runs the same checks with --target through the VM's forwarded ports, the host key checked and the DKIM key found over SSH", async () => {
    const vm = JSON.parse(readFileSync(join(vmDir, "vm.json"), "utf8")) as {
      ports: Record<string, number>;
      ssh: { port: number; keyPath: string; knownHostsPath: string };
    };
    const deployment = JSON.parse(readFileSync(join(vmDir, "mail", "deployment.json"), "utf8")) as { caPath: string; dkim: Record<string, string> };
    const secrets = JSON.parse(readFileSync(join(vmDir, "mail", "secrets.json"), "utf8")) as { passwords: Record<string, string> };
    const accounts = join(home.home, "accounts.json");
    writeFileSync(
      accounts,
      JSON.stringify({
        domain: "msf.test",
        hostname: "mail.msf.test",
        accounts: [
          { address: "postmaster@msf.test", role: "postmaster", password: secrets.passwords["postmaster@msf.test"] },
          { address: "alice@msf.test", password: secrets.passwords["alice@msf.test"], aliases: ["info@msf.test"] },
          { address: "bob@msf.test", password: secrets.passwords["bob@msf.test"] },
        ],
        // No dkim here: msf finds the key as a receiver would (DNS has none for msf.test; Rspamd's configuration over SSH does).
        bundledSignaturesOnly: true,
      }),
    );
    const endpoints = ["smtp", "submission", "smtps", "imap", "imaps", "pop3", "pop3s"].flatMap((s) => [`--${s}`, `127.0.0.1:${vm.ports[s]}`]);
    const run = await msf(
      "test",
      "--target",
      `ssh://root@127.0.0.1:${vm.ssh.port}`,
      "--key",
      vm.ssh.keyPath,
      "--known-hosts",
      vm.ssh.knownHostsPath,
      "--config",
      accounts,
      "--ca",
      deployment.caPath,
      ...endpoints,
      "--json",
    );
    expect(
      checksOf(run)
        .filter((c) => c.status !== "pass")
        .map((c) => `${c.id}: ${c.message}`),
    ).toEqual([]);
    expect(checksOf(run)).toHaveLength(20);
    expect(checksOf(run).find((c) => c.id === "dkim")?.message).toContain("SSH: the signer's key /var/lib/rspamd/dkim/msf.test.msf.key");
    expect(deployment.dkim["msf.test"]).toMatch(/^v=DKIM1; k=rsa; p=/);
    // With no alias anywhere there is nothing to prove: skipped, and counted as skipped.
    const noAlias = JSON.parse(readFileSync(accounts, "utf8"));
    noAlias.accounts = noAlias.accounts.map((a: { aliases?: string[] }) => ({ ...a, aliases: [] }));
    writeFileSync(accounts, JSON.stringify(noAlias));
    const skipped = await msf("test", "--host", "127.0.0.1", "--config", accounts, "--ca", deployment.caPath, ...endpoints, "--only", "alias", "--json");
    expect(checksOf(skipped).find((c) => c.id === "alias")).toMatchObject({ status: "skip", message: expect.stringMatching(/no account has an alias/) });
    expect(skipped.code).toBe(0);
    expect(skipped.last).toMatchObject({ passed: 1, failed: 0 }); // readiness passed, alias skipped
    expect(skipped.stderr + skipped.stdout).not.toMatch(/"id":"alias","[^}]*"status":"pass"/);
  });
});

// The deployed VM above is the snapshot's source (it goes on afterwards): no two VMs may share a key
// or a password, the snapshot's own key opens neither restored VM, and a restored VM passes every check.
describe("a ready snapshot of this VM, restored twice", () => {
  const ctx = createContext({ env: home.env });
  const restoredNames = ["restored-a", "restored-b"];
  let snapshotDir: string | undefined;
  afterAll(async () => {
    for (const name of restoredNames) await vmDown(ctx, { name, graceMs: 5_000 }).catch(() => {});
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true }); // in the shared cache: 400 MB no other test restores
  });

  /** What must be this VM's own, read on the host and in the guest. */
  async function credentialsOf(name: string) {
    const vm = await requireVm(ctx.paths.vms, name);
    const secrets = await loadSecrets(mailDir(vm.dir));
    const deployment = await loadDeployment(mailDir(vm.dir));
    const guest = await vmExec(ctx, {
      name,
      command:
        "cat /etc/ssh/ssh_host_ed25519_key.pub /etc/msf/tls/cert.pem; runuser -u postgres -- psql -XAtc \"SELECT rolpassword FROM pg_authid WHERE rolname = 'mailreader'\" -c 'SELECT password FROM mailboxes ORDER BY email' mail; date +%s",
    });
    expect(guest.exitCode, guest.stderr).toBe(0);
    const lines = guest.stdout.trim().split("\n");
    const certEnd = lines.indexOf("-----END CERTIFICATE-----") + 1;
    return {
      vm,
      clientKey: readFileSync(join(vm.dir, "id_ed25519.pub"), "utf8"),
      hostKey: vm.ssh.hostKey,
      guestHostKey: lines[0]?.split(" ").slice(0, 2).join(" "),
      cert: lines.slice(1, certEnd).join("\n"),
      dbPassword: secrets.dbPassword,
      mailPasswords: Object.values(secrets.passwords),
      dkim: deployment?.dkim["msf.test"],
      guestHashes: lines.slice(certEnd, -1),
      guestClock: Number(lines.at(-1)),
    };
  }

  it("gives each VM its own SSH keys, TLS certificate, DKIM key and passwords, refuses the snapshot's key, and passes every check", async () => {
    const distribution = requireDistribution("debian-12");
    const image = await findImage(ctx.paths.images, "debian-12", debian12Key());
    if (!image) throw new Error("the global setup's Debian 12 image is missing");
    const source = await credentialsOf("debian-12");
    const snapshot = await saveSnapshot(ctx, {
      name: "debian-12",
      key: {
        imageKey: image.manifest.key,
        accel: source.vm.accel,
        // What `msf vm up` gave the source: the catalog's.
        memoryMiB: distribution.resources.memoryMiB,
        cpus: distribution.resources.cpus,
        machine: machineFingerprint(distribution, image, source.vm.accel),
        // This test home's own: a reused MSF_TEST_HOME's cache may hold one saved from another source VM.
        deployment: `mail.vm ${home.home}`,
      },
    });
    snapshotDir = snapshot.dir;
    expect(snapshot.manifest).toMatchObject({ imageKey: image.manifest.key, distro: "debian-12", hostPublicKey: source.hostKey });

    for (const name of restoredNames) await vmRestore(ctx, { distro: "debian-12", name, image, snapshot, lifetimeMs: 3_600_000 });
    // As msf run does: only the secrets are made anew and applied.
    const rotated = await mailDeploy(ctx, { name: "restored-a", rotate: true });
    expect(rotated.steps.map((step) => step.name)).toEqual(["rotate"]);
    await mailDeploy(ctx, { name: "restored-b", rotate: true });
    const [a, b] = [await credentialsOf("restored-a"), await credentialsOf("restored-b")];
    for (const field of ["clientKey", "hostKey", "cert", "dbPassword", "dkim"] as const) {
      expect(new Set([source[field], a[field], b[field]]).size, field).toBe(3);
    }
    for (const [i, password] of a.mailPasswords.entries()) expect([source.mailPasswords[i], b.mailPasswords[i]]).not.toContain(password);
    // In the guests: each sshd presents its VM's key; the database holds each VM's own hashes.
    expect([a.guestHostKey, b.guestHostKey]).toEqual([a.hostKey.split(" ").slice(0, 2).join(" "), b.hostKey.split(" ").slice(0, 2).join(" ")]);
    expect(a.guestHashes).toHaveLength(1 + a.mailPasswords.length);
    for (const hash of a.guestHashes) expect(b.guestHashes).not.toContain(hash);
    // The restored clock is the host's, not the snapshot's.
    expect(Math.abs(a.guestClock - Date.now() / 1000)).toBeLessThan(120);
    // The key the snapshot was made with no longer opens a restored VM.
    const refused = await connectSsh(
      { host: "127.0.0.1", port: a.vm.ssh.port, username: "root", privateKey: readFileSync(snapshot.keyPath, "utf8"), hostKey: a.hostKey },
      { timeoutMs: 30_000 },
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "ERR_MSF_SSH", message: expect.stringContaining("refused the key") });

    await vmDown(ctx, { name: "restored-b" });
    const report = await mailTest(ctx, { name: "restored-a" });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    await vmDown(ctx, { name: "restored-a" });
    // The source goes on (the tests below use it), and is the only VM left.
    expect(qemuProcessesUnder(home.home)).toHaveLength(1);
  }, 1_500_000);
});

describe("the stack broken on purpose: the matching checks fail, clearly, with diagnostics; the others pass", () => {
  const fix = async (command: string) => expect((await msf("vm", "ssh", "debian-12", command)).code).toBe(0);

  it("Rspamd stopped: readiness names it, GTUBE gets through, /checkv2 fails; delivery and clamd still pass", async () => {
    await fix("systemctl stop rspamd");
    const run = await msf("test", "debian-12", "--only", "spam-gtube,rspamd-redis,delivery,clamd", "--json");
    await fix("systemctl start rspamd");
    expect(run.code).toBe(12);
    expect(statusOf(run)).toEqual({ readiness: "fail", "spam-gtube": "fail", "rspamd-redis": "error", delivery: "pass", clamd: "pass" });
    const checks = checksOf(run);
    expect(checks.find((c) => c.id === "readiness")?.message).toMatch(/no answer from rspamd \(systemd says (inactive|failed)\)/);
    expect(checks.find((c) => c.id === "spam-gtube")?.message).toMatch(/expected a 5xx rejection at the end of DATA; got 250/);
    const diagnostics = String(run.last?.diagnostics);
    expect(checks.find((c) => c.id === "spam-gtube")?.message).toContain(diagnostics);
    expect(readFileSync(join(diagnostics, "status-rspamd.txt"), "utf8")).toMatch(/inactive/);
    expect(readFileSync(join(diagnostics, "postconf-n.txt"), "utf8")).toContain("smtpd_milters = inet:127.0.0.1:11332");
  });

  it("a mailbox password changed in SQL: its logins fail, bad-credential and virus checks still pass; a redeploy repairs it", async () => {
    await fix(`runuser -u postgres -- psql -q mail -c "UPDATE mailboxes SET password = 'changed-behind-msf' WHERE email = 'alice@msf.test'"`);
    const run = await msf("test", "debian-12", "--only", "auth-good,auth-bad,virus-eicar", "--json");
    expect(statusOf(run)).toMatchObject({ readiness: "pass", "auth-good": "fail", "auth-bad": "pass", "virus-eicar": "pass" });
    expect(checksOf(run).find((c) => c.id === "auth-good")?.message).toMatch(/expected 235 to SMTP AUTH on 587; got 535/);
    const repair = await msf("deploy", "debian-12", "--json");
    const postgres = (repair.last as unknown as Deployed).steps.find((s) => s.name === "postgresql");
    expect(postgres?.changed).toEqual(["1 row(s) of domains, mailboxes and aliases"]);
    expect(statusOf(await msf("test", "debian-12", "--only", "auth-good", "--json"))["auth-good"]).toBe("pass");
  });

  it("clamd stopped: readiness names it, EICAR gets through, the clamd protocol check fails; GTUBE is still rejected", async () => {
    await fix("systemctl stop clamav-daemon");
    const run = await msf("test", "debian-12", "--only", "virus-eicar,clamd,spam-gtube", "--json");
    await fix("systemctl start clamav-daemon");
    expect(statusOf(run)).toEqual({ readiness: "fail", "virus-eicar": "fail", clamd: "error", "spam-gtube": "pass" });
    expect(checksOf(run).find((c) => c.id === "readiness")?.message).toMatch(/no answer from clamd/);
    expect(checksOf(run).find((c) => c.id === "virus-eicar")?.message).toMatch(/expected a 5xx rejection at the end of DATA; got 250/);
  });
});

describe("other deployers and configurations", () => {
  it("takes domain and accounts from a Mail Server Factory JSON configuration", async () => {
    const tool = join(import.meta.dirname, "../../../packages/mailtest/test/fixtures/msf");
    const deploy = await msf("deploy", "debian-12", "--config", join(tool, "Examples/Debian_12.json"), "--include-root", tool, "--json");
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.last).toMatchObject({ domain: "dev.local", hostname: "mail.dev.local" });
    const run = await msf("test", "debian-12", "--only", "auth-good,alias,tls", "--json");
    expect(
      checksOf(run)
        .filter((c) => c.status !== "pass")
        .map((c) => `${c.id}: ${c.message}`),
    ).toEqual([]);
    expect(checksOf(run).find((c) => c.id === "auth-good")?.message).toContain("test1@dev.local");
  });

  it("runs an external deployer with the VM's endpoint, user and key, and records its exit code", async () => {
    const script =
      'ssh -i {key} -p {port} -o UserKnownHostsFile="$MSF_SSH_KNOWN_HOSTS" -o BatchMode=yes {user}@{host} "echo $MSF_DOMAIN > /root/deployed-by-script"';
    const deploy = await msf("deploy", "debian-12", "--with", script, "--json");
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.last).toMatchObject({ deployer: { kind: "external", exitCode: 0 } });
    expect((await msf("vm", "ssh", "debian-12", "cat /root/deployed-by-script")).stdout).toBe("msf.test\n"); // no --config: msf's default domain
    const failing = await msf("deploy", "debian-12", "--with", "echo trying; exit 3", "--json");
    expect(failing.code).toBe(11);
    expect(failing.last).toMatchObject({ type: "error", code: "ERR_MSF_DEPLOY" });
    expect(String(failing.last?.message)).toContain("exited with 3");
  });
});

describe("msf vm down", () => {
  it("powers off through ACPI and leaves no QEMU and no record behind", async () => {
    const down = await msf("vm", "down", "debian-12", "--json");
    expect(down.code).toBe(0);
    expect(down.last).toMatchObject({ name: "debian-12", outcome: "powerdown" });
    expect(isProcessAlive(vm.pid)).toBe(false);
    expect(processGroupMembers(vm.pid)).toEqual([]);
    expect((await msf("ps", "--json")).last?.processes).toEqual([]);
    const list = await msf("vm", "list", "--json");
    // Beside it, the two VMs restored from its snapshot, ended by their test.
    expect(list.last?.vms).toEqual(
      ["debian-12", "restored-a", "restored-b"].map((name) => expect.objectContaining({ name, status: "stopped", running: false })),
    );
    const ssh = await msf("vm", "ssh", "debian-12", "true");
    expect(ssh.code).toBe(4);
    expect(ssh.stderr).toContain("the VM debian-12 is not running");
  });
});
