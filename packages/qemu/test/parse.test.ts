import { parseDiskInfo, parseUsernet } from "@msf/qemu";
import { describe, expect, it } from "vitest";

describe("parseUsernet", () => {
  it("reads the host ports QEMU bound for port-0 forwards (real `info usernet` output)", () => {
    const text =
      "Hub -1 (net0):\r\n  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\r\n" +
      "  TCP[HOST_FORWARD]  11       127.0.0.1 35721       10.0.2.15    22     0     0\r\n" +
      "  TCP[ESTABLISHED]   13       127.0.0.1 51234       10.0.2.15    22     0     0\r\n" +
      "  UDP[HOST_FORWARD]  12       127.0.0.1 40000       10.0.2.15    53     0     0\r\n";
    expect(parseUsernet(text)).toEqual([
      { protocol: "tcp", hostAddress: "127.0.0.1", hostPort: 35721, guestAddress: "10.0.2.15", guestPort: 22 },
      { protocol: "udp", hostAddress: "127.0.0.1", hostPort: 40000, guestAddress: "10.0.2.15", guestPort: 53 },
    ]);
  });
});

describe("parseDiskInfo", () => {
  it("reads qemu-img's JSON", () => {
    const json = JSON.stringify({ format: "qcow2", "virtual-size": 8589934592, "actual-size": 200704, "backing-filename": "/images/disk.qcow2" });
    expect(parseDiskInfo(json)).toEqual({ format: "qcow2", virtualSizeBytes: 8589934592, actualSizeBytes: 200704, backingFile: "/images/disk.qcow2" });
  });
});
