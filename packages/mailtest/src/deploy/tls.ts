import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Supervisor } from "@msf/supervisor";

export interface TlsMaterial {
  /** The run's CA: clients verify the server against it (and fail without it). */
  caPath: string;
  caPem: string;
  /** Where the server certificate and its key are on this host (an external deployer is given these paths). */
  certPath: string;
  keyPath: string;
  certPem: string;
  /** Secret. */
  keyPem: string;
}

/**
 * A CA and a server certificate for `hostname`, made once per deployment with openssl and kept in
 * `dir` (keys 0600). EC P-256: quick to make, accepted by every TLS stack involved.
 */
export async function ensureRunTls(dir: string, hostname: string, supervisor: Supervisor): Promise<TlsMaterial> {
  const path = (name: string) => join(dir, name);
  if (!["ca.pem", "server.pem", "server.key"].every((name) => existsSync(path(name)))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const openssl = (name: string, args: string[]) => supervisor.exec({ name: `openssl-${name}`, command: "openssl", args, timeoutMs: 60_000 });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await openssl("ca", [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      path("ca.key"),
      "-out",
      path("ca.pem"),
      "-days",
      "30",
      "-subj",
      "/CN=msf run CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await openssl("csr", ["req", ...ec, "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", `/CN=${hostname}`]);
    await writeFile(
      path("server.ext"),
      `subjectAltName=DNS:${hostname}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n`,
    );
    await openssl("sign", [
      "x509",
      "-req",
      "-in",
      path("server.csr"),
      "-CA",
      path("ca.pem"),
      "-CAkey",
      path("ca.key"),
      "-CAcreateserial",
      "-out",
      path("server.pem"),
      "-days",
      "30",
      "-extfile",
      path("server.ext"),
    ]);
    await Promise.all(["server.csr", "server.ext", "ca.srl"].map((name) => rm(path(name), { force: true })));
  }
  const [caPem, certPem, keyPem] = await Promise.all(["ca.pem", "server.pem", "server.key"].map((name) => readFile(path(name), "utf8")));
  return {
    caPath: path("ca.pem"),
    caPem: caPem as string,
    certPath: path("server.pem"),
    keyPath: path("server.key"),
    certPem: certPem as string,
    keyPem: keyPem as string,
  };
}

/** A user-supplied certificate (and the CA that issued it) instead of the per-run one. */
export async function userTls(certPath: string, keyPath: string, caPath: string): Promise<TlsMaterial> {
  const [caPem, certPem, keyPem] = await Promise.all([caPath, certPath, keyPath].map((p) => readFile(p, "utf8")));
  return { caPath, caPem: caPem as string, certPath, keyPath, certPem: certPem as string, keyPem: keyPem as string };
}
