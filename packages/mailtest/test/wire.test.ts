import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type Server } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { LineClient } from "../src/checks/wire/line-client.ts";
import { smtp, smtpReply } from "../src/checks/wire/protocols.ts";

let server: Server | undefined;
afterEach(() => server?.close());

/** A throwaway self-signed certificate for "mail.local". */
function certificate() {
  const dir = mkdtempSync(join(tmpdir(), "msf-wire-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "k"),
      "-out",
      join(dir, "c"),
      "-days",
      "1",
      "-subj",
      "/CN=mail.local",
      "-addext",
      "subjectAltName=DNS:mail.local",
    ],
    { stdio: "ignore" },
  );
  const pair = { key: readFileSync(join(dir, "k"), "utf8"), cert: readFileSync(join(dir, "c"), "utf8") };
  rmSync(dir, { recursive: true, force: true });
  return pair;
}

function listen(options: Parameters<typeof createTlsServer>[0]): Promise<number> {
  return new Promise((resolve) => {
    const tls = createTlsServer(options, (socket) => {
      socket.write("220 mail.local ESMTP\r\n");
      socket.on("data", (data) => {
        if (data.toString().startsWith("EHLO")) socket.write("250-mail.local\r\n250-SIZE 1000\r\n250 STARTTLS\r\n");
        else socket.write("221 bye\r\n");
      });
    });
    server = tls;
    tls.listen(0, "127.0.0.1", () => resolve((tls.address() as { port: number }).port));
  });
}

describe("LineClient", () => {
  it("reads multi-line SMTP replies over implicit TLS and keeps a transcript", async () => {
    const { key, cert } = certificate();
    const port = await listen({ key, cert });
    const client = await LineClient.connect({ host: "127.0.0.1", port }, { tls: { servername: "mail.local", ca: cert } });
    expect((await smtpReply(client)).code).toBe(220);
    const ehlo = await smtp(client, "EHLO me");
    expect(ehlo.lines).toEqual(["250-mail.local", "250-SIZE 1000", "250 STARTTLS"]);
    client.close();
    expect(client.transcript.some((line) => line.includes("TLSv1.3"))).toBe(true);
    expect(client.transcript).toContain("C: EHLO me");
  });

  it("can really speak TLS 1.0 when asked, so the refusal check can fail", async () => {
    const { key, cert } = certificate();
    const port = await listen({ key, cert, minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" });
    const client = await LineClient.connect(
      { host: "127.0.0.1", port },
      { tls: { servername: "mail.local", ca: cert, minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" } },
    );
    expect(client.tlsSocket?.getProtocol()).toMatch(/^TLSv1(\.1)?$/);
    client.close();
  });

  it("refuses a certificate it cannot verify, and one for another name", async () => {
    const { key, cert } = certificate();
    const port = await listen({ key, cert });
    await expect(LineClient.connect({ host: "127.0.0.1", port }, { tls: { servername: "mail.local" } })).rejects.toMatchObject({
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    await expect(LineClient.connect({ host: "127.0.0.1", port }, { tls: { servername: "other.local", ca: cert } })).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });
});
