import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { mediaStore } from "@msf/iso";
import { findImage, removeImage } from "@msf/qemu";
import { createContext, type MsfContext } from "@msf/supervisor";
import { qemuProcessesUnder, runMsf, vmTestHome } from "@msf/test-utils";
import { type InstallEvent, type InstallOptions, install } from "@msf/vm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildFixtureIso, type FixtureIso } from "./support/fixture-installer.ts";

// The installer path on real QEMU: a fixture installer ISO built from Debian packages for the full
// path (and for the question and silence failures), then Debian's real netboot installer.
const home = vmTestHome();
const msf = (...args: string[]) => runMsf(args, home.env, 900_000);
const debian12 = findDistribution("debian-12");
if (!debian12?.bootstrap) throw new Error("debian-12 missing from the catalog");
let fixture: FixtureIso;

const qemuLeft = () => qemuProcessesUnder(home.home);

beforeAll(async () => {
  const ctx = createContext({ env: home.env });
  fixture = await buildFixtureIso({
    supervisor: ctx.supervisor,
    store: mediaStore(ctx),
    mirror: debian12.bootstrap?.mirror as string,
    suite: "bookworm",
    out: join(home.home, "fixture"),
  });
}, 300_000);
afterEach(() => expect(qemuLeft()).toEqual([]));
afterAll(() => home.remove());

/** The fixture ISO's full install through the library, with every event it sent (each also given to `onEvent`). */
async function installFixture(ctx: MsfContext, bootCheck: InstallOptions["bootCheck"], onEvent?: (event: InstallEvent) => void) {
  const events: Array<{ type: string; [key: string]: unknown }> = [];
  const result = await install(ctx, {
    distro: "debian-12",
    from: "iso",
    iso: fixture.iso,
    append: ["msf.fixture=install"],
    bootCheck,
    onEvent: (event) => {
      events.push(event);
      onEvent?.(event);
    },
  });
  return { result, events };
}

describe("msf install with a fixture installer ISO", () => {
  it("goes ISO -> extraction -> direct boot -> config served -> power-off -> boot check -> golden image", async () => {
    const ctx = createContext({ env: home.env });
    const bootCheck = { kernel: fixture.kernel, initrd: fixture.initrd, append: "console=ttyS0,115200 msf.fixture=check", pattern: /msf-fixture login:/ };
    const { result, events } = await installFixture(ctx, bootCheck);
    expect(result.configFetches).toEqual([expect.objectContaining({ method: "GET", path: "/<token>/preseed.cfg", status: 200, file: "preseed.cfg" })]);
    expect(result.phases.map((p) => p.phase)).toEqual(["network", "mirror", "base-system", "finish"]);
    expect(events.map((e) => e.type)).toContain("config-request");
    expect(result.bootCheckMs).toBeGreaterThan(0);
    const bootLog = readFileSync(join(home.home, "installs/debian-12/boot-check.log"), "utf8");
    expect(bootLog).toContain("msf-fixture: the disk holds: MSF-FIXTURE-INSTALLED");

    // The golden image verifies against its manifest and holds what the installer wrote: the preseed it fetched.
    const image = await findImage(join(home.env.MSF_CACHE as string, "images"), "debian-12", result.image.key, { verify: true });
    try {
      expect(image?.manifest.recipe).toMatchObject({ installer: "preseed", from: "iso" });
      const raw = join(home.home, "golden-head.raw");
      const dd = ["dd", "-f", "qcow2", "-O", "raw", "bs=4096", "count=1", `if=${image?.disk}`, `of=${raw}`];
      await ctx.supervisor.exec({ name: "qemu-img", command: "qemu-img", args: dd, timeoutMs: 60_000 });
      const head = readFileSync(raw).toString("latin1");
      expect(head).toMatch(/^MSF-FIXTURE-INSTALLED\n[0-9a-f]{64} {2}\/tmp\/preseed\.cfg\n# msf: Debian preseed/);
      // The install's own key went into the preseed (base64: no shell parses it); once the image is archived it is gone from the host.
      const encoded = /echo ([A-Za-z0-9+/=]+) \| base64 -d > \/home\/msf\/\.ssh\/authorized_keys/.exec(head)?.[1] ?? "";
      expect(Buffer.from(encoded, "base64").toString()).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* msf@install-debian-12\n$/);
      expect(readdirSync(join(home.home, "installs/debian-12")).filter((f) => /id_ed25519|_key$|authorized_keys/.test(f))).toEqual([]);
    } finally {
      await removeImage(image?.dir as string); // a fixture's disk has no place in the shared image cache
    }
  }, 600_000);

  // The test spends msf's one retry on its own SIGSEGV, and QEMU 7.2 under TCG now and then crashes by
  // itself a second into this kernel (seen twice, once in that retry): one more run of the test.
  it("installs once more on a fresh disk when QEMU itself crashes (SIGSEGV from the test)", { timeout: 600_000, retry: 1 }, async () => {
    const crashed: number[] = [];
    const { result, events } = await installFixture(createContext({ env: home.env }), false, (event) => {
      if (event.type === "install-step" && event.step === "installer" && !crashed.length) {
        crashed.push(...qemuLeft());
        for (const pid of crashed) process.kill(pid, "SIGSEGV");
      }
    });
    expect(crashed).toHaveLength(1);
    const retry = events.find((event) => event.type === "install-retry");
    expect(retry?.message).toMatch(/^QEMU crashed \(SIGSEGV\): installing once more on a fresh disk \(first console: .*serial-1\.log\)$/);
    expect(events.filter((event) => event.type === "install-step" && event.step === "installer")).toHaveLength(2);
    expect(result.phases.map((p) => p.phase)).toEqual(["network", "mirror", "base-system", "finish"]);
    expect(existsSync(join(home.home, "installs/debian-12/serial-1.log"))).toBe(true);
    await removeImage(result.image.dir);
  });

  it("fails fast with the installer's question, and leaves no qemu behind", async () => {
    const run = await msf("install", "debian-12", "--iso", fixture.iso, "--append", "msf.fixture=question", "--silence", "10m", "--no-boot-check", "--json");
    expect(run.code).toBe(16);
    expect(run.last).toMatchObject({ type: "error", code: "ERR_MSF_INSTALL_QUESTION" });
    expect(run.last?.message).toContain("Downloading a file failed:");
    expect(run.last?.message).toContain("Prompt: '?' for help");
    expect(run.lines.some((line) => line.type === "config-request")).toBe(true);
  }, 600_000);

  it("fails when the installer goes silent, with its last lines", async () => {
    const run = await msf("install", "debian-12", "--iso", fixture.iso, "--append", "msf.fixture=silent", "--silence", "20s", "--no-boot-check", "--json");
    expect(run.code).toBe(16);
    expect(run.last).toMatchObject({ type: "error", code: "ERR_MSF_INSTALL" });
    expect(run.last?.message).toMatch(/printed nothing for 20(\.0)? s/);
    expect(run.last?.message).toContain("Checking the Debian archive mirror");
  }, 600_000);
});

describe("msf install with Debian's real netboot installer", () => {
  it("fetches the preseed, configures the network, checks the mirror, and reports the question it stops at", async () => {
    const run = await msf("install", "debian-12", "--from", "netboot", "--json");
    const fetches = run.lines.filter((line) => line.type === "config-request").map((line) => line.request);
    expect(fetches).toContainEqual(expect.objectContaining({ path: "/<token>/preseed.cfg", status: 200 }));
    const phases = run.lines.filter((line) => line.type === "install-phase");
    expect(phases.map((line) => line.phase)).toEqual(expect.arrayContaining(["network", "mirror"]));
    expect(run.code).toBe(16);
    expect(run.last).toMatchObject({ type: "error", code: "ERR_MSF_INSTALL_QUESTION" });
    expect(run.last?.message).toContain("Downloading a file failed");
    // Detected as it appeared, long before the 5-minute silence limit: within 60 s of the last progress.
    const lastPhaseAt = Math.max(...phases.map((line) => line.atMs as number));
    const askedAt = (run.last?.details as { atMs: number } | undefined)?.atMs ?? Number.NaN;
    expect(askedAt - lastPhaseAt).toBeLessThan(60_000);
  }, 900_000);
});
