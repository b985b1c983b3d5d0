import { setTimeout as sleep } from "node:timers/promises";
import { buildServer, type RunLauncher, type StartRunRequest } from "@msf/server";
import { createContext } from "@msf/supervisor";
import { makeTempDir, type SignedArchive, startSignedArchive } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A loopback mirror whose InRelease files are signed by a key made here: when one suite's package
// index changes, msf serve starts a run of exactly the distributions built from that suite.
const temp = makeTempDir();
let archive: SignedArchive;
beforeAll(async () => {
  archive = await startSignedArchive();
});
afterAll(async () => {
  await archive.close();
  temp.remove();
});

describe("runs on an archive change", () => {
  it("starts a run of just the distribution whose suite changed, the change as its reason", async () => {
    for (const suite of ["bookworm", "bookworm-security", "trixie"]) archive.publish(suite, "a");
    const requests: StartRunRequest[] = [];
    const launcher: RunLauncher = {
      start: async (request) => {
        requests.push(request);
        return { runId: `run-${requests.length}` };
      },
      cancel: () => false,
    };
    const debian = archive.url;
    const app = await buildServer({
      ctx: createContext({ env: { ...process.env, MSF_HOME: temp.path, MSF_LOG_LEVEL: "error" } }),
      loopback: true,
      launcher,
      background: {
        archive: {
          sources: {
            "debian-12": [
              { suite: "bookworm", mirror: debian },
              { suite: "bookworm-security", mirror: debian },
            ],
            "debian-13": [{ suite: "trixie", mirror: debian }],
          },
          intervalMs: 300,
          keys: [archive.key.publicKey],
        },
      },
    });
    try {
      await sleep(1_500); // the baseline, and checks that see no change
      expect(requests).toEqual([]);
      archive.publish("bookworm-security", "b"); // a security update for Debian 12
      for (let i = 0; i < 100 && requests.length === 0; i++) await sleep(100);
      await sleep(1_000); // and no second run for the same change
      expect(requests).toEqual([
        { distros: ["debian-12"], reason: expect.stringMatching(/^archive change: bookworm-security \([0-9a-f]{16} -> [0-9a-f]{16}\)$/) },
      ]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
