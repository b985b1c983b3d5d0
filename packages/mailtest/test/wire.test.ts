import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type Server } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { LineClient } from "../src/checks/wire/line-client.ts";
import { imapAuthenticatePlain, imapQuoted, saslPlain, smtp, smtpReply } from "../src/checks/wire/protocols.ts";

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

  it("authenticates to IMAP with PLAIN after the continuation: a password with quotes, backslashes and spaces goes base64, never as a quoted string", async () => {
    const password = 'a" b\\ c" LOGOUT';
    const received: string[] = [];
    const plain = await new Promise<{ port: number; close: () => void }>((resolve) => {
      const tcp = createTcpServer((socket) => {
        socket.write("* OK ready\r\n");
        socket.on("data", (data) => {
          for (const line of data.toString().split("\r\n").filter(Boolean)) {
            received.push(line);
            if (line.endsWith("AUTHENTICATE PLAIN")) socket.write("+ \r\n");
            else socket.write(`${received[0]?.split(" ")[0]} OK logged in\r\n`);
          }
        });
      });
      tcp.listen(0, "127.0.0.1", () => resolve({ port: (tcp.address() as { port: number }).port, close: () => tcp.close() }));
    });
    const client = await LineClient.connect({ host: "127.0.0.1", port: plain.port });
    await client.readLine();
    expect(await imapAuthenticatePlain(client, "alice@msf.test", password)).toEqual({ status: "OK", text: "logged in" });
    expect(received[1]).toBe(saslPlain("alice@msf.test", password));
    expect(Buffer.from(received[1] as string, "base64").toString()).toBe(`\0alice@msf.test\0${password}`);
    expect(client.transcript.join("\n")).not.toContain(received[1]);
    client.close();
    plain.close();
  });

  it("refuses line breaks and NUL in credentials, and quotes IMAP strings by RFC 3501", () => {
    expect(() => saslPlain("alice@msf.test", "pw\r\na1 LOGOUT")).toThrow(/line break or NUL/);
    expect(() => saslPlain("alice@msf.test", "pw\0")).toThrow(/line break or NUL/);
    expect(imapQuoted('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => imapQuoted("a\nb")).toThrow(/line break/);
  });
});
