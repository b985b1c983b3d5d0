import { describe, expect, it } from "vitest";
import { cpioNewc, moduleDepends, moduleLoadOrder } from "./support/cpio.ts";

describe("fixture installer support", () => {
  it("writes newc cpio: magic, sizes, names and data on 4-byte boundaries, a trailer", () => {
    const archive = cpioNewc([
      { type: "dir", name: "bin" },
      { type: "file", name: "/init", data: "#!/bin/sh\n", mode: 0o755 },
      { type: "symlink", name: "bin/sh", target: "busybox" },
    ]);
    const text = archive.toString("latin1");
    expect(text.startsWith("070701")).toBe(true);
    expect(archive.length % 4).toBe(0);
    const headers = [...text.matchAll(/070701([0-9a-f]{104})([^\0]*)\0/g)].map((m) => ({
      mode: Number.parseInt(m[1]?.slice(8, 16) ?? "", 16),
      size: Number.parseInt(m[1]?.slice(48, 56) ?? "", 16),
      name: m[2],
      offset: m.index,
    }));
    expect(headers.map((h) => [h.name, h.mode.toString(8), h.size])).toEqual([
      ["bin", "40755", 0],
      ["init", "100755", 10],
      ["bin/sh", "120777", 7],
      ["TRAILER!!!", "0", 0],
    ]);
    for (const h of headers) expect(h.offset % 4).toBe(0);
    expect(text).toContain("#!/bin/sh\n");
  });

  it("reads a module's dependencies from its modinfo and orders modules dependencies first, each once", () => {
    const ko = Buffer.from("\x7fELF...\0license=GPL\0depends=virtio_ring,virtio,net_failover\0name=virtio_net\0");
    expect(moduleDepends(ko)).toEqual(["virtio_ring", "virtio", "net_failover"]);
    expect(moduleDepends(Buffer.from("\0name=virtio\0depends=\0"))).toEqual([]);
    const deps: Record<string, string[]> = { virtio_net: ["virtio_ring", "virtio", "net_failover"], net_failover: ["failover"], virtio_ring: ["virtio"] };
    expect(moduleLoadOrder(["virtio_net", "virtio_blk"], (name) => deps[name] ?? [])).toEqual([
      "virtio",
      "virtio_ring",
      "failover",
      "net_failover",
      "virtio_net",
      "virtio_blk",
    ]);
  });
});
