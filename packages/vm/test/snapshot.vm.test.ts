import { readFileSync } from "node:fs";
import { join } from "node:path";
import { requireDistribution } from "@msf/iso";
import { findImage, type StoredImage } from "@msf/qemu";
import { connectSsh } from "@msf/ssh";
import { createContext } from "@msf/supervisor";
import { debian12Key, qemuProcessesUnder, vmTestHome } from "@msf/test-utils";
import {
  loadDeployment,
  loadSecrets,
  machineFingerprint,
  mailDeploy,
  mailDir,
  mailTest,
  requireVm,
  saveSnapshot,
  vmDown,
  vmExec,
  vmRestore,
  vmUp,
} from "@msf/vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A ready snapshot of a deployed Debian 12 VM, restored twice: no two VMs may share a key or a
// password, the snapshot's own key opens neither, and a restored VM passes every check.
const home = vmTestHome();
const ctx = createContext({ env: home.env });
const distribution = requireDistribution("debian-12");
let image: StoredImage;

beforeAll(async () => {
  const found = await findImage(ctx.paths.images, "debian-12", debian12Key());
  if (!found) throw new Error("the global setup's Debian 12 image is missing");
  image = found;
});

afterAll(async () => {
  for (const name of ["source", "restored-a", "restored-b"]) await vmDown(ctx, { name, graceMs: 5_000 }).catch(() => {});
  home.remove();
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
  return {
    vm,
    clientKey: readFileSync(join(vm.dir, "id_ed25519.pub"), "utf8"),
    hostKey: vm.ssh.hostKey,
    guestHostKey: lines[0]?.split(" ").slice(0, 2).join(" "),
    cert: lines.slice(1, lines.indexOf("-----END CERTIFICATE-----") + 1).join("\n"),
    dbPassword: secrets.dbPassword,
    mailPasswords: Object.values(secrets.passwords),
    dkim: deployment?.dkim,
    guestHashes: lines.slice(lines.indexOf("-----END CERTIFICATE-----") + 1, -1),
    guestClock: Number(lines.at(-1)),
  };
}

describe("a ready snapshot restored twice", () => {
  it("gives each VM its own SSH keys, TLS certificate, DKIM key and passwords, refuses the snapshot's key, and passes every check", async () => {
    await vmUp(ctx, { distro: "debian-12", name: "source", image, lifetimeMs: 3_600_000 });
    await mailDeploy(ctx, { name: "source" });
    const source = await credentialsOf("source");
    const vm = source.vm;
    const key = {
      imageKey: image.manifest.key,
      accel: vm.accel,
      memoryMiB: 2048,
      cpus: 2,
      machine: machineFingerprint(distribution, image, vm.accel),
      deployment: "test",
    };
    const snapshot = await saveSnapshot(ctx, { name: "source", key });
    expect(snapshot.manifest).toMatchObject({ imageKey: image.manifest.key, distro: "debian-12", hostPublicKey: vm.ssh.hostKey });
    await vmDown(ctx, { name: "source" });

    const restore = (name: string) => vmRestore(ctx, { distro: "debian-12", name, image, snapshot, lifetimeMs: 3_600_000 });
    await restore("restored-a");
    await restore("restored-b");
    // As msf run does: only the secrets are made anew and applied.
    const rotated = await mailDeploy(ctx, { name: "restored-a", rotate: true });
    expect(rotated.steps.map((step) => step.name)).toEqual(["rotate"]);
    await mailDeploy(ctx, { name: "restored-b", rotate: true });
    const [a, b] = [await credentialsOf("restored-a"), await credentialsOf("restored-b")];
    for (const field of ["clientKey", "hostKey", "cert", "dbPassword"] as const) {
      expect(new Set([source[field], a[field], b[field]]).size, field).toBe(3);
    }
    expect(new Set([source.dkim?.["msf.test"], a.dkim?.["msf.test"], b.dkim?.["msf.test"]]).size).toBe(3);
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
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 1_500_000);
});
