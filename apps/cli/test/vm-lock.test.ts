import { join } from "node:path";
import { acquireLock } from "@msf/supervisor";
import { makeTempDir, runMsf } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

const temp = makeTempDir();
afterAll(() => temp.remove());

describe("one msf command at a time per VM", () => {
  it("msf deploy does not deploy into a VM another command holds: it says the VM is busy", async () => {
    const lock = await acquireLock(join(temp.path, "vms", "debian-12.lock"));
    try {
      const run = await runMsf(["deploy", "debian-12", "--json"], { ...process.env, MSF_HOME: temp.path }, 60_000);
      expect(run.code).toBe(7);
      expect(run.last).toMatchObject({ code: "ERR_MSF_LOCKED", message: expect.stringMatching(/the VM debian-12 is in use by another msf command/) });
    } finally {
      await lock.release();
    }
  });
});
