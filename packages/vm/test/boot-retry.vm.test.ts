import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findImage } from "@msf/qemu";
import { createContext } from "@msf/supervisor";
import { debian12Key, qemuProcessesUnder, vmTestHome } from "@msf/test-utils";
import { type VmUpEvent, vmUp } from "@msf/vm";
import { afterAll, describe, expect, it } from "vitest";

// Under TCG a guest kernel can panic at random while it patches its own code; msf boots such a VM
// once more. Here the kernel panics on every boot (no initrd, a root disk that does not exist), so
// both boots are seen, and then the failure.
const home = vmTestHome();
const ctx = createContext({ env: home.env });
const name = "panics";

afterAll(() => home.remove());

describe("a guest kernel that panics before SSH", () => {
  it("is booted once more from a fresh overlay, then fails with both consoles kept and no QEMU left", async () => {
    const source = await findImage(ctx.paths.images, "debian-12", debian12Key());
    if (!source) throw new Error("the global setup's Debian 12 image is missing");
    const image = { ...source, initrd: undefined, manifest: { ...source.manifest, append: "root=/dev/vdz" } };
    const events: VmUpEvent[] = [];
    const error = await vmUp(ctx, { distro: "debian-12", name, image, onEvent: (event) => events.push(event) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_VM_BOOT", details: { reason: "QEMU exited" } });
    const launched = events.filter((event) => event.type === "launched");
    expect(launched).toHaveLength(2);
    expect(new Set(launched.map((event) => event.pid)).size).toBe(2);
    const retries = events.filter((event) => event.type === "boot-retry");
    expect(retries).toMatchObject([{ attempt: 1, serialLog: join(ctx.paths.vms, name, "serial-1.log") }]);
    for (const log of ["serial-1.log", "serial.log"]) {
      expect(readFileSync(join(ctx.paths.vms, name, log), "utf8")).toContain("Kernel panic - not syncing: VFS");
    }
    expect(qemuProcessesUnder(home.home)).toEqual([]);
  }, 300_000);
});
