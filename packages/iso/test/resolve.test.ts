import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DistributionSchema } from "@msf/catalog";
import { extractBootFiles, MediaStore, resolveMedia } from "@msf/iso";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir, startHttpServer, type TestHttpServer } from "@msf/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const supervisor = createSupervisor();
const temp = makeTempDir();
let http: TestHttpServer;
let iso: Buffer;
let key: { armored: string; fingerprint: string; sign: (text: string, mode: "clearsign" | "detach") => string };
let otherKey: typeof key;

/** A throwaway OpenPGP key in its own GnuPG home (made per test run; nothing secret is kept). */
function makeKey(name: string): typeof key {
  const home = join(temp.path, `gnupg-${name}`);
  mkdirSync(home, { mode: 0o700 });
  const gpg = (args: string[], input?: string) =>
    execFileSync("gpg", ["--batch", "--homedir", home, ...args], { input, stdio: ["pipe", "pipe", "ignore"] }).toString();
  gpg(["--passphrase", "", "--quick-gen-key", `${name} <${name}@msf.invalid>`, "ed25519", "sign", "never"]);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(["--with-colons", "--list-keys"]))?.[1] as string;
  return {
    fingerprint,
    armored: gpg(["--armor", "--export"]),
    sign: (text, mode) => gpg(["--armor", mode === "clearsign" ? "--clearsign" : "--detach-sign"], text),
  };
}

/** A real (small) ISO made with xorriso, laid out like Ubuntu's. */
function makeIso(): Buffer {
  const tree = join(temp.path, "tree");
  mkdirSync(join(tree, "casper"), { recursive: true });
  writeFileSync(join(tree, "casper", "vmlinuz"), "a kernel");
  writeFileSync(join(tree, "casper", "initrd"), "an initrd");
  const out = join(temp.path, "fixture.iso");
  execFileSync("xorriso", ["-as", "mkisofs", "-o", out, "-V", "MSF_FIXTURE", "-J", "-R", tree], { stdio: "ignore" });
  return readFileSync(out);
}

function distribution(signature: "clearsigned" | "detached", dirs: string[], fingerprint = key.fingerprint) {
  return DistributionSchema.parse({
    id: "fixture-1",
    name: "Fixture 1",
    version: "1",
    family: "ubuntu",
    installer: "autoinstall",
    media: {
      dirs,
      iso: "fixture-1\\.\\d+-amd64\\.iso",
      checksums: { file: "SHA256SUMS", signature: signature === "detached" ? { kind: "detached", suffix: ".gpg" } : { kind: "clearsigned" } },
      keys: [{ file: "test.asc", fingerprint }],
      boot: { kernel: "/casper/vmlinuz", initrd: "/casper/initrd" },
      approxSizeMiB: 1,
    },
    resources: { memoryMiB: 1024, diskGiB: 4, cpus: 1, installTimeoutMinutes: 5 },
    packageFamily: "apt",
  });
}

const loadKeys = async () => [key.armored];

beforeAll(async () => {
  key = makeKey("signer");
  otherKey = makeKey("stranger");
  iso = makeIso();
  const sums = `${createHash("sha256").update(iso).digest("hex")}  fixture-1.2-amd64.iso\n${"e".repeat(64)}  fixture-1.1-amd64.iso\n`;
  http = await startHttpServer({
    "/good/fixture-1.2-amd64.iso": iso,
    "/good/SHA256SUMS": sums,
    "/good/SHA256SUMS.gpg": key.sign(sums, "detach"),
    "/clear/SHA256SUMS": key.sign(sums, "clearsign"),
    "/clear/fixture-1.2-amd64.iso": iso,
    "/tampered/SHA256SUMS": sums.replace(/^./, (first) => (first === "0" ? "1" : "0")), // always a change: hashes may start with 0
    "/tampered/SHA256SUMS.gpg": key.sign(sums, "detach"),
    "/tampered/fixture-1.2-amd64.iso": iso,
    "/stranger/SHA256SUMS": sums,
    "/stranger/SHA256SUMS.gpg": otherKey.sign(sums, "detach"),
    "/nofile/SHA256SUMS": `${"f".repeat(64)}  something-else.iso\n`,
    "/nofile/SHA256SUMS.gpg": key.sign(`${"f".repeat(64)}  something-else.iso\n`, "detach"),
  });
}, 60_000);

afterAll(async () => {
  await http.close();
  temp.remove();
});

describe("resolving media: signed checksum files, then the ISO", () => {
  it("verifies a detached signature, picks the newest ISO the SUMS lists, and its checksum", async () => {
    const media = await resolveMedia(distribution("detached", [`${http.url}/good/`]), { supervisor, loadKeys });
    expect(media).toMatchObject({ file: "fixture-1.2-amd64.iso", urls: [`${http.url}/good/fixture-1.2-amd64.iso`], signedBy: key.fingerprint });
    expect(media.expected.hex).toBe(createHash("sha256").update(iso).digest("hex"));
  });

  it("verifies a clearsigned checksum file", async () => {
    const media = await resolveMedia(distribution("clearsigned", [`${http.url}/clear/`]), { supervisor, loadKeys });
    expect(media.signedBy).toBe(key.fingerprint);
  });

  it("refuses a checksum file whose signature does not match, and never falls back past it", async () => {
    const error = await resolveMedia(distribution("detached", [`${http.url}/tampered/`, `${http.url}/good/`]), { supervisor, loadKeys }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "ERR_MSF_SIGNATURE" });
    expect(String((error as Error).message)).toMatch(/bad signature on .*\/tampered\/SHA256SUMS: the signature does not match/);
    expect(http.requests.some((r) => r.path.endsWith(".iso"))).toBe(false);
  });

  it("refuses a signature by a key the catalog does not trust", async () => {
    const error = await resolveMedia(distribution("detached", [`${http.url}/stranger/`]), { supervisor, loadKeys }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/not among the trusted keys/);
  });

  it("says so when the checksum file does not list the ISO", async () => {
    const error = await resolveMedia(distribution("detached", [`${http.url}/nofile/`]), { supervisor, loadKeys }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_MSF_DOWNLOAD" });
    expect(String((error as Error).message)).toMatch(/lists no file matching fixture-1/);
  });

  it("fails a user-provided distribution with its instructions, not with a 404", async () => {
    const rhel = DistributionSchema.parse({
      ...distribution("detached", ["https://example.invalid/"]),
      userProvided: { instructions: "download it yourself" },
    });
    await expect(resolveMedia(rhel, { supervisor })).rejects.toMatchObject({ code: "ERR_MSF_USER_MEDIA", hint: "download it yourself" });
  });

  it("downloads the resolved ISO into the cache and extracts the installer's kernel and initrd (xorriso)", async () => {
    const entry = distribution("detached", [`${http.url}/good/`]);
    const media = await resolveMedia(entry, { supervisor, loadKeys });
    const store = new MediaStore(join(temp.path, "media"));
    const fetched = await store.fetch({ urls: media.urls, expected: media.expected, file: media.file, distro: entry.id });
    const out = join(temp.path, "boot");
    const boot = await extractBootFiles(supervisor, fetched.path, entry.media?.boot as { kernel: string; initrd: string }, out);
    expect(readFileSync(boot.kernel, "utf8")).toBe("a kernel");
    expect(readFileSync(boot.initrd, "utf8")).toBe("an initrd");
    expect(boot.volumeId).toBe("MSF_FIXTURE");
    expect(JSON.parse(readFileSync(join(out, "boot.json"), "utf8"))).toMatchObject({ volumeId: "MSF_FIXTURE" });
  });
});
