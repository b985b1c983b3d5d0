import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findImage, type StoredImage } from "@msf/qemu";
import { createContext } from "@msf/supervisor";
import { debian12Key, qemuProcessesUnder, vmTestHome } from "@msf/test-utils";
import { vmDown, vmExec, vmUp } from "@msf/vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firmwareBootableImage } from "./support/firmware-image.ts";

// An installer-made golden image has no kernel beside it: msf boots it through its own boot loader
// and hands it this VM's keys through fw_cfg, like a bootstrap image. The disk stands in for an
// installer's (the run's Debian 12 image with EXTLINUX in its boot sector, no kernel in the manifest).
const home = vmTestHome();
const ctx = createContext({ env: home.env });
const name = "fw-debian-12";
let image: StoredImage;

beforeAll(async () => {
  const source = await findImage(ctx.paths.images, "debian-12", debian12Key());
  if (!source) throw new Error("the global setup's Debian 12 image is missing");
  image = await firmwareBootableImage(source, join(home.home, "installed-images"));
}, 600_000);

afterAll(async () => {
  await vmDown(ctx, { name }).catch(() => undefined);
  home.remove();
});

describe("an installer-made golden image (no kernel of its own)", () => {
  it("boots by firmware through its boot loader to SSH, with this VM's keys from fw_cfg", async () => {
    expect(image.kernel).toBeUndefined();
    const up = await vmUp(ctx, { distro: "debian-12", name, image });
    expect(up.phases.system?.atMs).toBeGreaterThan(0);
    const argv = readFileSync(`/proc/${up.pid}/cmdline`, "utf8").split("\0");
    expect(argv).not.toContain("-kernel");
    const cmdline = await vmExec(ctx, { name, command: "cat /proc/cmdline; systemctl is-active msf-credentials.service" });
    expect(cmdline.stdout).toMatch(/BOOT_IMAGE=\/boot\/vmlinuz-/); // EXTLINUX loaded the kernel, not QEMU
    expect(cmdline.stdout).toContain("\nactive");
    const down = await vmDown(ctx, { name });
    expect(down).toBeTruthy();
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 600_000);
});
