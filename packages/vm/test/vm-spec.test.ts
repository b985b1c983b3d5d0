import { statSync } from "node:fs";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { ImageManifestSchema } from "@msf/qemu";
import { createContext } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { makeVmCredentials, qmpSocketPath, vmMachineSpec, vmUp } from "@msf/vm";
import { afterEach, describe, expect, it } from "vitest";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

const manifest = ImageManifestSchema.parse({
  schemaVersion: 1,
  distro: "debian-12",
  key: "abc",
  createdAt: "2026-11-25T00:00:00.000Z",
  buildMs: 1,
  recipe: {},
  disk: { file: "disk.qcow2", sha256: "0".repeat(64), sizeBytes: 1, format: "qcow2" },
  append: "root=/dev/vda rw",
});

describe("vmMachineSpec", () => {
  it("boots the image's kernel from an overlay, forwards SSH, passes the keys through fw_cfg (golden)", async () => {
    const distribution = findDistribution("debian-12");
    if (!distribution) throw new Error("no debian-12");
    const spec = vmMachineSpec({
      name: "debian-12",
      distribution,
      image: { dir: "/img", manifest, disk: "/img/disk.qcow2", kernel: "/img/vmlinuz", initrd: "/img/initrd.img" },
      overlay: "/vm/overlay.qcow2",
      serialLog: "/vm/serial.log",
      qmpSocket: "/vm/qmp.sock",
      credentials: { keyPath: "/vm/id", publicKey: "ssh-ed25519 A", hostKeyPath: "/vm/hk", hostPublicKey: "ssh-ed25519 B", authorizedKeysPath: "/vm/ak" },
    });
    await expect(`${JSON.stringify(spec, null, 2)}\n`).toMatchFileSnapshot("golden/debian-12-spec.json");
  });

  it("boots an installer-made image (no kernel of its own) through its boot loader, with the same keys and ports", () => {
    const distribution = findDistribution("fedora-41");
    if (!distribution) throw new Error("no fedora-41");
    const credentials = { keyPath: "/vm/id", publicKey: "ssh-ed25519 A", hostKeyPath: "/vm/hk", hostPublicKey: "ssh-ed25519 B", authorizedKeysPath: "/vm/ak" };
    const spec = vmMachineSpec({
      name: "fedora-41",
      distribution,
      image: { dir: "/img", manifest: { ...manifest, distro: "fedora-41", append: "" }, disk: "/img/disk.qcow2" },
      overlay: "/vm/overlay.qcow2",
      serialLog: "/vm/serial.log",
      qmpSocket: "/vm/qmp.sock",
      credentials,
    });
    expect(spec.boot).toEqual({ kind: "firmware", order: "c" });
    expect(spec.fwCfg?.map((entry) => entry.file)).toEqual(["/vm/ak", "/vm/hk"]);
    expect(spec.forwards?.map((forward) => forward.guestPort)).toContain(22);
  });
});

describe("vm up of a distribution installed from media", () => {
  it("says to install it first when no installed image is cached", async () => {
    temp = makeTempDir();
    const ctx = createContext({ env: { MSF_HOME: temp.path } });
    await expect(vmUp(ctx, { distro: "fedora-41" })).rejects.toMatchObject({
      code: "ERR_MSF_NOT_FOUND",
      message: "there is no installed image of fedora-41",
      hint: "install it first: msf install fedora-41 --from iso",
    });
  });
});

describe("VM credentials", () => {
  it("are fresh per VM and private", async () => {
    temp = makeTempDir();
    const a = await makeVmCredentials(join(temp.path, "a"), "a");
    const b = await makeVmCredentials(join(temp.path, "b"), "b");
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(a.hostPublicKey).not.toBe(b.hostPublicKey);
    expect(statSync(a.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(a.hostKeyPath).mode & 0o777).toBe(0o600);
  });

  it("keep the QMP socket path under the unix limit", () => {
    expect(qmpSocketPath("/short")).toBe("/short/qmp.sock");
    const deep = `/${"d".repeat(150)}`;
    expect(qmpSocketPath(deep).length).toBeLessThan(100);
    expect(qmpSocketPath(deep)).toBe(qmpSocketPath(deep));
  });
});
