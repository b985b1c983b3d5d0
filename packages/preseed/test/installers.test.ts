import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { catalog, findDistribution } from "@msf/catalog";
import {
  buildSeedIso,
  credentialsFiles,
  installerKernelArgs,
  PLACEHOLDER_KEY,
  placeholderProfile,
  renderCatalogConfigs,
  renderInstallConfig,
  structuralProblems,
  validateConfigs,
} from "@msf/preseed";
import { createSupervisor } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

const PRESEEDS = join(import.meta.dirname, "../../../preseeds");
const distro = (id: string) => {
  const found = findDistribution(id);
  if (!found) throw new Error(`${id} missing from the catalog`);
  return found;
};
const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== "README.md")
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();

const temp = makeTempDir("msf-preseed-");
afterAll(() => temp.remove());
const write = (name: string, text: string) => {
  const path = join(temp.path, name);
  writeFileSync(path, text);
  return path;
};

describe("preseeds/ (rendered with the placeholder key)", () => {
  const rendered = renderCatalogConfigs(catalog, placeholderProfile());

  it("holds exactly what the renderers produce for every catalog distribution (else: pnpm msf preseed render --all --out preseeds)", () => {
    expect(filesUnder(PRESEEDS)).toEqual(Object.keys(rendered).sort());
    for (const [path, text] of Object.entries(rendered)) expect(readFileSync(join(PRESEEDS, path), "utf8"), path).toBe(text);
  });

  it("covers every distribution that is installed from media", () => {
    const ids = new Set(Object.keys(rendered).map((path) => path.split("/")[0]));
    for (const d of catalog.filter((entry) => entry.installer !== "bootstrap")) expect(ids.has(d.id), d.id).toBe(true);
  });

  it("passes the real validators (debconf-set-selections -c, cloud-init schema, xmllint) and msf's structural checks", async () => {
    const results = await validateConfigs([PRESEEDS]);
    expect(new Set(results.map((r) => r.validator))).toEqual(new Set(["structure", "debconf-set-selections", "cloud-init", "xmllint"]));
    const notPassed = results.filter((r) => r.status !== "pass").map((r) => `${r.file} ${r.validator} ${r.status}: ${r.messages.join("; ")}`);
    expect(notPassed).toEqual([]);
  });
});

describe("the validators catch broken configs", () => {
  const debian = renderInstallConfig(distro("debian-12"), placeholderProfile()).files["preseed.cfg"] as string;
  const ubuntu = renderInstallConfig(distro("ubuntu-24.04"), placeholderProfile()).files["user-data"] as string;
  const fedora = renderInstallConfig(distro("fedora-41"), placeholderProfile()).files["ks.cfg"] as string;
  const suse = renderInstallConfig(distro("opensuse-15.6"), placeholderProfile()).files["autoinst.xml"] as string;
  const verdicts = async (name: string, text: string) =>
    Object.fromEntries((await validateConfigs([write(name, text)])).map((r) => [r.validator, { status: r.status, messages: r.messages.join("\n") }]));

  it("debconf-set-selections rejects a line that is not an answer", async () => {
    const v = await verdicts("broken.preseed", `${debian}d-i this-is-not-an-answer\n`);
    expect(v["debconf-set-selections"]).toMatchObject({ status: "fail", messages: expect.stringContaining("this-is-not-an-answer") });
  });

  it("structure rejects a preseed that never powers off or holds a clear-text password", async () => {
    const v = await verdicts(
      "nopoweroff.preseed",
      `${debian.replace("exit/poweroff boolean true", "exit/poweroff boolean false")}d-i passwd/root-password password hunter2\n`,
    );
    expect(v.structure?.status).toBe("fail");
    expect(v.structure?.messages).toContain("poweroff must be true");
    expect(v.structure?.messages).toContain("passwd/root-password holds a clear-text password");
  });

  it("cloud-init schema rejects a wrong type", async () => {
    const dir = makeTempDir("msf-userdata-");
    try {
      writeFileSync(join(dir.path, "user-data"), `${ubuntu}users: 5\n`);
      const [, schema] = await validateConfigs([join(dir.path, "user-data")]);
      expect(schema).toMatchObject({ validator: "cloud-init", status: "fail" });
      expect(schema?.messages.join("\n")).toContain("users: 5 is not of type");
    } finally {
      dir.remove();
    }
  });

  it("structure rejects autoinstall without the power-off or the key", () => {
    const problems = structuralProblems("cloud-config", ubuntu.replace("shutdown: poweroff", "shutdown: reboot").replace(/authorized-keys:\n\s+- .*\n/, ""));
    expect(problems).toEqual([expect.stringContaining("shutdown: poweroff"), "autoinstall installs no SSH key"]);
  });

  it("structure rejects a kickstart with an unclosed section, no poweroff and a clear-text password", () => {
    const broken = fedora.replace("%end\n", "").replace("poweroff\n", "").replace("rootpw --lock", "rootpw --plaintext hunter2");
    const problems = structuralProblems("kickstart", broken);
    expect(problems).toContain("no poweroff: the installer would wait or reboot instead of ending");
    expect(problems.some((p) => p.includes("%end"))).toBe(true);
    expect(problems).toContain("clear-text password: rootpw");
    expect(structuralProblems("kickstart", fedora)).toEqual([]);
  });

  it("xmllint rejects malformed AutoYaST and structure rejects a confirming one", async () => {
    const v = await verdicts("broken.xml", suse.replace("</software>", ""));
    expect(v.xmllint?.status).toBe("fail");
    expect(structuralProblems("autoyast", suse.replace('<confirm config:type="boolean">false', '<confirm config:type="boolean">true'))).toEqual([
      "<confirm> must be false, or the installer stops to ask",
    ]);
  });
});

describe("install profiles", () => {
  const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRealKeyOfThisRun run@host";
  const hash = "$6$saltsalt$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstu/.";
  const allText = (profile = placeholderProfile()) => Object.values(renderCatalogConfigs(catalog, profile)).join("\n");

  it("has no fixed password: without a per-run hash, password login is off everywhere", () => {
    const text = allText();
    expect(text).not.toContain("$6$");
    const configs = renderCatalogConfigs(catalog, placeholderProfile());
    expect(configs["debian-12/preseed.cfg"]).toContain("user-password-crypted password !");
    expect(configs["debian-12/preseed.cfg"]).toContain("PasswordAuthentication no");
    expect(configs["ubuntu-24.04/user-data"]).toContain("allow-pw: false");
    expect(configs["fedora-41/ks.cfg"]).toMatch(/^user .* --lock$/m);
    expect(configs["fedora-41/ks.cfg"]).toContain("rootpw --lock");
    expect(configs["cloud-init/user-data"]).toContain("ssh_pwauth: false");
  });

  it("puts the run's key and hashed password in every config, never a clear-text password", () => {
    const profile = placeholderProfile({ user: { name: "msf", sshPublicKey: key, passwordHash: hash } });
    // Debian's and Ubuntu's post-install scripts carry it base64-encoded (no shell parses it); the others as data.
    const encoded = Buffer.from(`${key}\n`).toString("base64");
    for (const [path, text] of Object.entries(renderCatalogConfigs(catalog, profile))) {
      if (path.endsWith("meta-data")) continue;
      expect(text.includes(key) || text.includes(encoded), path).toBe(true);
      expect(text, path).not.toContain(PLACEHOLDER_KEY);
      expect(text, path).toContain(hash);
    }
  });

  it("installs Docker only when asked, and leaves SELinux and the firewall at the distribution's default unless told", () => {
    expect(allText()).not.toMatch(/docker|moby/);
    expect(allText(placeholderProfile({ docker: true }))).toMatch(/moby-engine[\s\S]*docker/);
    const fedora = distro("fedora-41");
    const plain = renderInstallConfig(fedora, placeholderProfile()).files["ks.cfg"] as string;
    expect(plain).not.toMatch(/^(selinux|firewall) /m);
    const strict = renderInstallConfig(fedora, placeholderProfile({ selinux: "permissive", firewall: "enabled" })).files["ks.cfg"] as string;
    expect(strict).toMatch(/^selinux --permissive$/m);
    expect(strict).toMatch(/^firewall --enabled --ssh$/m);
  });

  it("leaves every installed system ready for msf's VMs: the fw_cfg credentials unit enabled, the kernel on the serial console", () => {
    const unit = Buffer.from(credentialsFiles()[1]?.content ?? "").toString("base64");
    for (const [path, text] of Object.entries(renderCatalogConfigs(catalog, placeholderProfile()))) {
      if (path.startsWith("cloud-init/") || path.endsWith("meta-data")) continue;
      expect(text, path).toContain(unit);
      expect(text, path).toContain("systemctl enable msf-credentials.service");
      expect(text, path).toMatch(/console=ttyS0,115200|90-msf-console\.cfg/);
    }
    expect(() => placeholderProfile({ console: "serial please" })).toThrow(/console/);
  });

  it("takes only a whole, well-formed key line: nothing in it can reach a shell", () => {
    const hostile = [
      `${key} $(touch /tmp/pwned)`, // a comment that is a command substitution
      `${key}' ; reboot ; echo '`,
      "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ run@host", // an RSA body under an ed25519 name
      `${key}\nssh-rsa AAAA second@line`,
      "ssh-dss AAAAB3NzaC1kc3M= old@key",
    ];
    for (const line of hostile) expect(() => placeholderProfile({ user: { name: "msf", sshPublicKey: line } }), line).toThrow(/sshPublicKey/);
    const preseed = renderInstallConfig(distro("debian-12"), placeholderProfile({ user: { name: "msf", sshPublicKey: key } })).files["preseed.cfg"] as string;
    expect(preseed).not.toContain(`'${key}'`);
  });

  it("rejects a bad profile naming the field", () => {
    expect(() => placeholderProfile({ hostname: "Bad_Host" })).toThrow(/hostname/);
    expect(() => placeholderProfile({ user: { name: "msf", sshPublicKey: "not a key" } })).toThrow(/sshPublicKey/);
    expect(() => placeholderProfile({ user: { name: "msf" } as never })).toThrow(/user\.sshPublicKey|sshPublicKey/);
    expect(() => placeholderProfile({ domain: "localhost" })).toThrow(/domain/);
  });

  it("packs first-boot cloud-init into a cidata seed ISO (xorriso) that holds both files", async () => {
    const supervisor = createSupervisor();
    const iso = await buildSeedIso(supervisor, { dir: join(temp.path, "seed"), output: join(temp.path, "seed.iso"), profile: placeholderProfile() });
    const info = await supervisor.exec({
      name: "xorriso",
      command: "xorriso",
      args: ["-indev", iso, "-pvd_info", "-find", "/", "-type", "f"],
      timeoutMs: 30_000,
    });
    const text = `${info.stdout}\n${info.stderr}`;
    expect(text).toMatch(/Volume Id\s*:\s*cidata/);
    expect(text).toContain("'/user-data'");
    expect(text).toContain("'/meta-data'");
    expect(existsSync(`${iso}.part`)).toBe(false);
  });

  it("points each installer at its config on the kernel command line, asking nothing", () => {
    const url = "http://10.0.2.2:8000/abc/";
    const args = (id: string) => installerKernelArgs(distro(id), placeholderProfile(), url, "Fedora-S-dvd-x86_64-41").join(" ");
    expect(args("debian-12")).toContain(`auto=true priority=critical url=${url}preseed.cfg`);
    expect(args("ubuntu-24.04")).toMatch(/^autoinstall ds=nocloud-net;s=http:\/\/10\.0\.2\.2:8000\/abc\//);
    expect(args("fedora-41")).toContain(`inst.ks=${url}ks.cfg inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-41`);
    expect(args("opensuse-15.6")).toContain(`autoyast=${url}autoinst.xml`);
    expect(() => renderInstallConfig({ ...distro("debian-12"), installer: "bootstrap" }, placeholderProfile())).toThrow(/built from its archive/);
  });
});
