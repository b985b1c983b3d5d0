import type { CheckContext } from "../context.ts";
import { expectThat, type MailService } from "../types.ts";
import { LineClient } from "../wire/line-client.ts";
import { imap, pop3, smtp, smtpReply } from "../wire/protocols.ts";
import { check } from "./define.ts";

/** Reads the greeting of each service: SMTP 220, IMAP `* OK`, POP3 `+OK`. */
export const listening = check({
  id: "listening",
  component: "stack",
  title: "Every port answers with its banner: 25, 587, 465 (TLS), 143, 110, 993 and 995 (TLS)",
  async run(ctx) {
    const expected: Array<[MailService, RegExp]> = [
      ["smtp", /^220 /],
      ["submission", /^220 /],
      ["smtps", /^220 /],
      ["imap", /^\* OK/],
      ["imaps", /^\* OK/],
      ["pop3", /^\+OK/],
      ["pop3s", /^\+OK/],
    ];
    // Every port at once (each greeting is a process start on the server); transcripts in port order.
    const greeted = await Promise.all(
      expected.map(async ([service, pattern]) => {
        const client = await ctx.connect(service);
        const banner = service.startsWith("smtp") || service === "submission" ? (await smtpReply(client)).lines.join(" ") : await client.readLine();
        return { service, pattern, client, banner };
      }),
    );
    const seen = greeted.map(({ service, pattern, client, banner }) => {
      ctx.record(client);
      client.close();
      expectThat(pattern.test(banner), `${pattern} from ${service} (${ctx.target.endpoints[service].port})`, banner);
      return `${service}: ${banner.slice(0, 40)}`;
    });
    return seen.join("; ");
  },
});

/** STARTTLS on the plain ports, in each protocol's words. */
async function startTls(ctx: CheckContext, service: "smtp" | "submission" | "imap" | "pop3", tls = ctx.tls()): Promise<LineClient> {
  const client = await ctx.connect(service);
  if (service === "imap") {
    await client.readLine();
    const reply = await imap(client, "STARTTLS");
    expectThat(reply.status === "OK", "OK to STARTTLS", reply.text);
  } else if (service === "pop3") {
    await client.readLine();
    const reply = await pop3(client, "STLS");
    expectThat(reply.ok, "+OK to STLS", reply.status);
  } else {
    await smtpReply(client);
    await smtp(client, `EHLO client.${ctx.target.domain}`);
    const reply = await smtp(client, "STARTTLS");
    expectThat(reply.code === 220, "220 to STARTTLS", `${reply.code} ${reply.text}`);
  }
  await client.startTls(tls);
  return client;
}

async function handshakeFails(ctx: CheckContext, service: MailService, options: Parameters<CheckContext["tls"]>[0]): Promise<string | undefined> {
  try {
    const client =
      service === "smtps" || service === "imaps" || service === "pop3s"
        ? await LineClient.connect(ctx.target.endpoints[service], { tls: ctx.tls(options), timeoutMs: 20_000 })
        : await startTls(ctx, service as "smtp", ctx.tls(options));
    ctx.record(client);
    client.close();
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

export const tlsHandshakes = check({
  id: "tls",
  component: "tls",
  title: "TLS everywhere: verified against the run's CA (not without it), right host name, TLS 1.0 and 1.1 refused",
  async run(ctx) {
    const proven: string[] = [];
    for (const service of ["smtps", "imaps", "pop3s"] as const) {
      const client = await ctx.connect(service);
      ctx.record(client);
      proven.push(`${service}: ${client.tlsSocket?.getProtocol()}`);
      client.close();
    }
    for (const service of ["smtp", "submission", "imap", "pop3"] as const) {
      const client = await startTls(ctx, service);
      ctx.record(client);
      proven.push(`${service} STARTTLS: ${client.tlsSocket?.getProtocol()}`);
      client.close();
    }
    if (ctx.target.caPem) {
      const untrusted = await handshakeFails(ctx, "smtps", { ca: undefined });
      expectThat(untrusted !== undefined, "the certificate to fail verification without the run's CA", "it verified against the system's CAs");
      proven.push(`without the CA: ${untrusted}`);
    }
    const wrongName = await handshakeFails(ctx, "imaps", { servername: `not-${ctx.target.hostname}` });
    expectThat(wrongName !== undefined, `the certificate to be refused for another name than ${ctx.target.hostname}`, "it was accepted");
    proven.push(`other name: ${wrongName}`);
    // Offer only TLS 1.0/1.1, with the security level lowered so this client really can.
    for (const service of ["smtps", "imaps", "pop3s", "submission"] as const) {
      const old = await handshakeFails(ctx, service, { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" });
      expectThat(old !== undefined, `${service} to refuse TLS 1.0/1.1`, "a TLS 1.0/1.1 handshake succeeded");
      proven.push(`${service} TLS 1.0/1.1: refused (${old})`);
    }
    return proven.join("; ");
  },
});

export { startTls };

export const TLS_CHECKS = [listening, tlsHandshakes];
