import type { LineClient } from "./line-client.ts";

export interface SmtpReply {
  code: number;
  lines: string[];
  /** All lines' text without the codes, joined. */
  text: string;
}

/** More lines than this in one reply (an SMTP reply, IMAP's untagged lines, a POP3 listing) is a server out of control. */
export const MAX_REPLY_LINES = 100_000;

function tooMany(client: LineClient, what: string): Error {
  client.close();
  return new Error(`the server sent more than ${MAX_REPLY_LINES} lines in one ${what}`);
}

/** Reads one SMTP reply (multi-line `250-` replies included). */
export async function smtpReply(client: LineClient, timeoutMs?: number): Promise<SmtpReply> {
  const lines: string[] = [];
  for (;;) {
    const line = await client.readLine(timeoutMs);
    if (lines.length >= MAX_REPLY_LINES) throw tooMany(client, "SMTP reply");
    lines.push(line);
    if (/^\d{3}( |$)/.test(line)) break;
    if (!/^\d{3}-/.test(line)) throw new Error(`not an SMTP reply: ${line}`);
  }
  return { code: Number((lines.at(-1) as string).slice(0, 3)), lines, text: lines.map((l) => l.slice(4)).join("\n") };
}

export async function smtp(client: LineClient, command: string, shown?: string, timeoutMs?: number): Promise<SmtpReply> {
  client.send(command, shown);
  return smtpReply(client, timeoutMs);
}

/** EHLO's keywords (STARTTLS, SIZE 10485760, AUTH PLAIN LOGIN...), upper-cased. */
export function ehloKeywords(reply: SmtpReply): string[] {
  return reply.lines.slice(1).map((line) => line.slice(4).toUpperCase());
}

/** A POP3 status line; with `multiline`, the data lines up to the lone dot too. */
export async function pop3(
  client: LineClient,
  command: string,
  options: { shown?: string; multiline?: boolean } = {},
): Promise<{ ok: boolean; status: string; data: string[] }> {
  client.send(command, options.shown);
  const status = await client.readLine();
  const data: string[] = [];
  if (options.multiline && status.startsWith("+OK")) {
    for (let line = await client.readLine(); line !== "."; line = await client.readLine()) {
      if (data.length >= MAX_REPLY_LINES) throw tooMany(client, "POP3 listing");
      data.push(line.startsWith("..") ? line.slice(1) : line);
    }
  }
  return { ok: status.startsWith("+OK"), status, data };
}

let tagCounter = 0;

/** An IMAP command and its tagged completion; untagged lines come back in `lines`. */
export async function imap(client: LineClient, command: string, shown?: string): Promise<{ status: "OK" | "NO" | "BAD"; text: string; lines: string[] }> {
  const tag = `m${++tagCounter}`;
  client.send(`${tag} ${command}`, shown ? `${tag} ${shown}` : undefined);
  const lines: string[] = [];
  for (;;) {
    const line = await client.readLine();
    if (line.startsWith(`${tag} `)) {
      const [, status = "BAD", ...rest] = line.split(" ");
      return { status: status as "OK" | "NO" | "BAD", text: rest.join(" "), lines };
    }
    if (lines.length >= MAX_REPLY_LINES) throw tooMany(client, "IMAP response");
    lines.push(line);
  }
}

/**
 * IMAP AUTHENTICATE PLAIN (RFC 3501, 4616): the credentials travel base64-encoded after the server's
 * continuation, never as a quoted string a password could break out of.
 */
export async function imapAuthenticatePlain(client: LineClient, user: string, password: string): Promise<{ status: "OK" | "NO" | "BAD"; text: string }> {
  const tag = `m${++tagCounter}`;
  const credentials = saslPlain(user, password);
  client.send(`${tag} AUTHENTICATE PLAIN`);
  for (let lines = 0; lines < MAX_REPLY_LINES; lines++) {
    const line = await client.readLine();
    if (line.startsWith("+")) client.send(credentials, "*** (PLAIN credentials)");
    else if (line.startsWith(`${tag} `)) {
      const [, status = "BAD", ...rest] = line.split(" ");
      return { status: status as "OK" | "NO" | "BAD", text: rest.join(" ") };
    }
  }
  throw tooMany(client, "IMAP response");
}

/** IMAP/POP3/SMTP PLAIN credentials, base64 (RFC 4616: neither may hold NUL). */
export function saslPlain(user: string, password: string): string {
  return Buffer.from(`\0${requireLineSafe(user, "user name")}\0${requireLineSafe(password, "password")}`).toString("base64");
}

/** A credential sent on a protocol line may not hold CR, LF or NUL: it would end the command and start another. */
export function requireLineSafe(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error(`the ${what} holds a line break or NUL, which no mail protocol can carry: fix it in the accounts`);
  return value;
}

/** Pure: an IMAP quoted string (RFC 3501: backslash and double quote escaped; CR, LF and NUL impossible). */
export function imapQuoted(value: string): string {
  return `"${requireLineSafe(value, "value").replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
