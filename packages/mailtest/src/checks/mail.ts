import { format } from "node:util";
import { ImapFlow } from "imapflow";
import nodemailer, { type TransportOptions } from "nodemailer";
import type { CheckContext } from "./context.ts";
import { startTls } from "./defs/tls.ts";
import { CheckFailure, type MailAccount, type MailTarget } from "./types.ts";
import { pop3, requireLineSafe } from "./wire/protocols.ts";

export interface Outgoing {
  from: MailAccount;
  to: string;
  subject: string;
  text: string;
  attachments?: Array<{ filename: string; content: string }>;
}

/** A nodemailer transport to the target's submission port: STARTTLS required, SMTP AUTH as the account, its CA. */
export function submissionTransport(target: MailTarget, account: MailAccount, extra: Partial<TransportOptions> & Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: target.endpoints.submission.host,
    port: target.endpoints.submission.port,
    secure: false,
    requireTLS: true,
    name: `client.${target.domain}`,
    auth: { user: account.address, pass: account.password },
    // nodemailer connects to an address, so the certificate's name must be given explicitly.
    tls: { servername: target.hostname, ca: target.caPem },
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
    ...extra,
  } as TransportOptions);
}

/** Submits on 587 with STARTTLS and SMTP AUTH (nodemailer); returns the Message-ID and the server's reply. */
export async function submit(ctx: CheckContext, mail: Outgoing): Promise<{ messageId: string; response: string }> {
  const log =
    (level: string) =>
    (...args: unknown[]) => {
      const line = format(...(args.slice(1) as [string, ...unknown[]]));
      if (level !== "trace") ctx.note(line.split("\n")[0] ?? "");
    };
  const transport = submissionTransport(ctx.target, mail.from, {
    logger: { trace: log("trace"), debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), fatal: log("fatal"), level: () => {} },
    debug: true,
  });
  const messageId = `<msf-${ctx.token}-${Date.now()}@${ctx.target.domain}>`;
  try {
    const info = await transport.sendMail({
      from: mail.from.address,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId,
      attachments: mail.attachments,
    });
    return { messageId, response: String(info.response) };
  } finally {
    transport.close();
  }
}

/**
 * An IMAP session as the account, the server's certificate checked against the target's CA. Client
 * errors go to `errors` (an unhandled error event would crash the process).
 */
export async function connectImap(target: MailTarget, account: MailAccount, service: "imap" | "imaps", errors: string[] = []): Promise<ImapFlow> {
  const endpoint = target.endpoints[service];
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: service === "imaps",
    doSTARTTLS: service === "imap" ? true : undefined,
    servername: target.hostname,
    tls: { ca: target.caPem, servername: target.hostname, rejectUnauthorized: true },
    auth: { user: account.address, pass: account.password },
    logger: false,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
  });
  client.on("error", (error: Error) => errors.push(error.message));
  await client.connect();
  return client;
}

/** Waits (IMAP IDLE) until a message with this Message-ID is in the INBOX; returns its source. */
export async function readBackImap(ctx: CheckContext, account: MailAccount, messageId: string, service: "imap" | "imaps", unscaledMs: number): Promise<string> {
  const timeoutMs = ctx.scaled(unscaledMs);
  const endpoint = ctx.target.endpoints[service];
  const errors: string[] = [];
  const started = Date.now();
  const client = await connectImap(ctx.target, account, service, errors);
  ctx.note(`IMAP ${service} (${endpoint.port}) logged in as ${account.address}${client.secureConnection ? " over TLS" : ""}`);
  const lock = await client.getMailboxLock("INBOX");
  try {
    for (;;) {
      const uids = (await client.search({ header: { "message-id": messageId } }, { uid: true })) || [];
      if (uids.length) {
        const message = await client.fetchOne(String(uids[0]), { source: true }, { uid: true });
        ctx.note(`IMAP ${service}: found ${messageId} (uid ${uids[0]}) after ${Date.now() - started} ms`);
        const source = message ? message.source : undefined;
        if (!source) throw new CheckFailure(`the source of ${messageId}`, "an empty fetch");
        return source.toString("utf8");
      }
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0)
        throw new CheckFailure(`${messageId} in ${account.address}'s INBOX within ${Math.round(timeoutMs / 1000)} s (IMAP ${service})`, "it did not arrive");
      // IDLE: the server announces the new message (EXISTS) the moment it is saved. The next
      // search ends the IDLE; a 5 s cap covers a server that stays silent.
      const waited = Date.now();
      void client.idle().catch(() => {});
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.min(left, 5_000));
        function finish() {
          clearTimeout(timer);
          client.off("exists", finish);
          resolve();
        }
        client.on("exists", finish);
      });
      ctx.waitedMs += Date.now() - waited;
    }
  } finally {
    lock.release();
    await client.logout().catch(() => client.close());
    if (errors.length) ctx.note(`IMAP client errors: ${errors.join("; ")}`);
  }
}

/** Logs in over POP3 (STLS) and retrieves the message with this Message-ID. */
export async function readBackPop3(ctx: CheckContext, account: MailAccount, messageId: string): Promise<string> {
  const client = await startTls(ctx, "pop3");
  try {
    await pop3(client, `USER ${requireLineSafe(account.address, "address")}`);
    const pass = await pop3(client, `PASS ${requireLineSafe(account.password, "password")}`, { shown: "PASS ***" });
    if (!pass.ok) throw new CheckFailure("+OK to POP3 PASS", pass.status);
    const list = await pop3(client, "LIST", { multiline: true });
    for (const line of [...list.data].reverse()) {
      const number = line.split(" ")[0];
      const top = await pop3(client, `TOP ${number} 0`, { multiline: true });
      if (top.data.some((header) => header.toLowerCase().startsWith("message-id:") && header.includes(messageId))) {
        const message = await pop3(client, `RETR ${number}`, { multiline: true });
        ctx.note(`POP3: found ${messageId} as message ${number}`);
        return message.data.join("\r\n");
      }
    }
    throw new CheckFailure(`${messageId} in the POP3 mailbox of ${account.address}`, `${list.data.length} other message(s)`);
  } finally {
    await pop3(client, "QUIT").catch(() => {});
    client.transcript.splice(0, client.transcript.length, ...client.transcript.filter((line) => !line.startsWith("S: ") || line.length < 200));
    ctx.record(client);
    client.close();
  }
}
