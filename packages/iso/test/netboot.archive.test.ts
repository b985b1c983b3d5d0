import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fetchDebianNetboot, MediaStore } from "@msf/iso";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// The real-world download path that can be proven here: Debian's archive (the one remote host CI reaches).
const temp = makeTempDir();
afterAll(() => temp.remove());

describe("Debian installer netboot files from the archive", () => {
  it("verifies the signed chain (InRelease -> Packages.xz -> .deb) and extracts a real kernel and initrd", async () => {
    const steps: string[] = [];
    const result = await fetchDebianNetboot({
      supervisor: createSupervisor(),
      store: new MediaStore(join(temp.path, "media")),
      mirror: process.env.MSF_DEBIAN_MIRROR ?? "http://deb.debian.org/debian",
      suite: "bookworm",
      version: "12",
      out: join(temp.path, "netboot"),
      onEvent: (event) => {
        if (event.type === "netboot-step") steps.push(event.step);
      },
    });
    expect(steps).toEqual(["release", "packages", "package"]);
    expect(result.signedBy).toMatch(/^[0-9A-F]{40}$/);
    const kernel = readFileSync(result.kernel);
    expect(kernel.subarray(0x202, 0x206).toString("latin1")).toBe("HdrS"); // the x86 Linux boot protocol magic
    expect(readFileSync(result.initrd).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
  }, 300_000);
});
