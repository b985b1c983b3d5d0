import type { LineClient } from "./line-client.ts";

export interface SmtpReply {
  code: number;
  lines: string[];
  /** All lines' text without the codes, joined. */
  text: string;
}

/** Reads one SMTP reply (multi-line `250-` replies included). */
export async function smtpReply(client: LineClient, timeoutMs?: number): Promise<SmtpReply> {
  const lines: string[] = [];
  for (;;) {
    const line = await client.readLine(timeoutMs);
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
    for (let line = await client.readLine(); line !== "."; line = await client.readLine()) data.push(line.startsWith("..") ? line.slice(1) : line);
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
    lines.push(line);
  }
}

/** IMAP/POP3/SMTP PLAIN credentials, base64. */
export function saslPlain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString("base64");
}
