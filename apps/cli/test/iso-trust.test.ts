import { createHash } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeGpgKey, makeTempDir, startHttpServer, type TestHttpServer } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

// Forged checksum files served from a loopback mirror and fed through the real `msf` command:
// none of them may get a file into the media cache.
const key = makeGpgKey();
const temp = makeTempDir();
let http: TestHttpServer;
const iso = Buffer.from("a disc image the mirror serves\n".repeat(500));
const evilIso = Buffer.from("the attacker's disc image\n".repeat(500));
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const keyFile = join(temp.path, "signer.asc");

beforeAll(async () => {
  writeFileSync(keyFile, key.publicKey);
  const good = key.clearsign(`${sha(iso)}  disc.iso\n`);
  const evilLine = `${sha(evilIso)}  disc.iso\n`;
  http = await startHttpServer({
    "/disc.iso": iso,
    "/evil/disc.iso": evilIso,
    "/good.asc": good,
    "/SUMS": `${sha(iso)}  disc.iso\n`,
    "/SUMS.sig": key.detachSign(`${sha(iso)}  disc.iso\n`),
    // The attacker's line before the armor, or after the signature with CRLF line ends (both keep gpgv happy).
    "/prefix.asc": `${evilLine}\n${good}`,
    "/appended.asc": `${good.replace(/\n/g, "\r\n")}\r\n\r\n${evilLine}`,
    "/two.asc": `${good}${key.clearsign(evilLine)}`,
  });
});
afterAll(async () => {
  await http?.close();
  key.remove();
  temp.remove();
});

function home(name: string) {
  return { ...process.env, MSF_HOME: join(temp.path, name) };
}

const cachedFiles = (name: string) => {
  const media = join(temp.path, name, "cache", "media");
  return existsSync(media) ? readdirSync(media).filter((n) => /^[0-9a-f]{64}$/.test(n)) : [];
};

describe("msf iso fetch --sums: only signed text is trusted", () => {
  it("fetches with a clearsigned SUMS and --key (no --sig), and with a detached --sig", async () => {
    const clear = await runMsfInProcess(
      ["iso", "fetch", "--url", `${http.url}/disc.iso`, "--sums", `${http.url}/good.asc`, "--key", keyFile, "--json"],
      home("clear"),
    );
    expect(clear.code, clear.stdout).toBe(0);
    expect(cachedFiles("clear")).toEqual([sha(iso)]);
    const detached = await runMsfInProcess(
      ["iso", "fetch", "--url", `${http.url}/disc.iso`, "--sums", `${http.url}/SUMS`, "--sig", `${http.url}/SUMS.sig`, "--key", keyFile, "--json"],
      home("detached"),
    );
    expect(detached.code, detached.stdout).toBe(0);
  });

  for (const forged of ["prefix.asc", "appended.asc", "two.asc"]) {
    it(`refuses ${forged} and caches nothing, even for the attacker's matching file`, async () => {
      const name = forged.replace(".asc", "");
      const run = await runMsfInProcess(
        ["iso", "fetch", "--url", `${http.url}/evil/disc.iso`, "--sums", `${http.url}/${forged}`, "--key", keyFile, "--json"],
        home(name),
      );
      expect(run.code, run.stdout).toBe(9);
      expect(run.last).toMatchObject({ code: "ERR_MSF_SIGNATURE" });
      expect(cachedFiles(name)).toEqual([]);
    });
  }

  it("refuses an unsigned SUMS over plain http unless told --allow-unsigned-sums", async () => {
    const args = ["iso", "fetch", "--url", `${http.url}/disc.iso`, "--sums", `${http.url}/SUMS`, "--json"];
    const refused = await runMsfInProcess(args, home("unsigned"));
    expect(refused.code).toBe(9);
    expect(String(refused.last?.message)).toMatch(/unsigned checksum file over plain http/);
    expect(String(refused.last?.hint)).toMatch(/--allow-unsigned-sums/);
    expect(cachedFiles("unsigned")).toEqual([]);
    const allowed = await runMsfInProcess([...args, "--allow-unsigned-sums"], home("unsigned"));
    expect(allowed.code, allowed.stdout).toBe(0);
  });
});

describe("msf iso netboot: a mirror that prepends an unsigned block to Debian's InRelease", () => {
  it("is refused before any index is fetched", async () => {
    const mirror = process.env.MSF_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
    const real = Buffer.from(await (await fetch(`${mirror}/dists/bookworm/InRelease`, { signal: AbortSignal.timeout(60_000) })).arrayBuffer());
    const forged = `SHA256:\n ${"e".repeat(64)} 1234 main/binary-amd64/Packages.xz\n\n${real.toString("utf8")}`;
    const evil = await startHttpServer({ "/debian/dists/bookworm/InRelease": forged });
    try {
      const run = await runMsfInProcess(
        ["iso", "netboot", "debian-12", "--mirror", `${evil.url}/debian`, "--out", join(temp.path, "netboot"), "--json"],
        home("netboot"),
      );
      expect(run.code, run.stdout).toBe(9);
      expect(run.last).toMatchObject({ code: "ERR_MSF_SIGNATURE", message: expect.stringMatching(/unsigned text before the signed message/) });
      expect(evil.requests.map((r) => r.path)).toEqual(["/debian/dists/bookworm/InRelease"]);
      expect(cachedFiles("netboot")).toEqual([]);
    } finally {
      await evil.close();
    }
  });
});
