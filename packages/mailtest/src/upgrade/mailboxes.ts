import { createHash } from "node:crypto";
import type { ImapFlow } from "imapflow";
import MailComposer from "nodemailer/lib/mail-composer";
import { connectImap } from "../checks/mail.ts";
import type { MailAccount, MailTarget } from "../checks/types.ts";
import { type MailState, storedFlags } from "./integrity.ts";

// Mailboxes filled the way users fill them, through the wire (IMAP APPEND), and read back as a
// client sees them: what an upgrade must leave exactly as it was.

/** Folders besides INBOX, one of them nested and not ASCII (IMAP's modified UTF-7 on disk). */
export const CORPUS_FOLDERS: string[][] = [["Archive"], ["Projekte", "Überfällig"]];
const LARGE_ATTACHMENT_BYTES = 5 * 1024 * 1024;

interface CorpusMessage {
  folder: string[];
  flags: string[];
  build: (account: MailAccount, domain: string) => Promise<Buffer>;
}

/** Deterministic bytes (not compressible, not all-zero): a large attachment whose every byte is checked. */
function largeAttachment(): Buffer {
  const chunks: Buffer[] = [];
  let block = createHash("sha256").update("msf upgrade corpus").digest();
  for (let size = 0; size < LARGE_ATTACHMENT_BYTES; size += block.length) {
    chunks.push(block);
    block = createHash("sha256").update(block).digest();
  }
  return Buffer.concat(chunks).subarray(0, LARGE_ATTACHMENT_BYTES);
}

const compose = (options: ConstructorParameters<typeof MailComposer>[0]) => new MailComposer(options).compile().build();

/** Pure data: what each filled mailbox holds. */
export const CORPUS: CorpusMessage[] = [
  {
    folder: ["INBOX"],
    flags: ["\\Seen"],
    build: (a, domain) =>
      compose({
        from: `colleague@${domain}`,
        to: a.address,
        subject: "Quarterly figures",
        text: "Numbers attached next week.\n",
        date: new Date("2026-01-05T09:00:00Z"),
      }),
  },
  {
    folder: ["INBOX"],
    flags: ["\\Flagged", "$Label1"],
    build: (a, domain) =>
      compose({
        from: `Jürgen Müller <jm@${domain}>`,
        to: a.address,
        subject: "Grüße aus Köln — Überprüfung ✓ 日本語",
        text: "Straße, Maß, Öl: UTF-8 in the body too.\n",
        html: "<p>Straße, Maß, <b>Öl</b></p>",
        date: new Date("2026-02-11T14:30:00Z"),
      }),
  },
  {
    folder: ["INBOX"],
    flags: [],
    build: (a, domain) =>
      compose({
        from: `newsletter@${domain}`,
        to: a.address,
        subject: "Unread",
        text: "Still unread after the upgrade.\n",
        date: new Date("2026-03-01T08:00:00Z"),
      }),
  },
  {
    folder: ["Archive"],
    flags: ["\\Seen", "\\Answered"],
    build: (a, domain) =>
      compose({
        from: `archive@${domain}`,
        to: a.address,
        subject: "Large attachment",
        text: "5 MiB attached.\n",
        attachments: [{ filename: "data.bin", content: largeAttachment(), contentType: "application/octet-stream" }],
        date: new Date("2025-12-24T18:00:00Z"),
      }),
  },
  {
    folder: ["Projekte", "Überfällig"],
    flags: ["\\Seen"],
    build: (a, domain) =>
      compose({ from: `pm@${domain}`, to: a.address, subject: "Überfällig: Bericht", text: "Bitte bis Freitag.\n", date: new Date("2026-04-01T10:00:00Z") }),
  },
];

/** Fills every account that has a password with the corpus (folders created first). Returns how many messages went in. */
export async function fillMailboxes(target: MailTarget): Promise<number> {
  let appended = 0;
  for (const account of target.accounts.filter((a) => a.password)) {
    await withImap(target, account, async (client) => {
      for (const folder of CORPUS_FOLDERS) await client.mailboxCreate(folder).catch(() => undefined); // there already: fine
      for (const message of CORPUS) {
        const done = await client.append(message.folder, await message.build(account, target.domain), message.flags);
        if (!done) throw new Error(`IMAP APPEND to ${message.folder.join("/")} of ${account.address} failed`);
        appended++;
      }
    });
  }
  return appended;
}

/** Every mailbox's folders, UIDVALIDITY, and per message its UID, flags, size and content hash. */
export async function readMailboxes(target: MailTarget): Promise<MailState["mailboxes"]> {
  const mailboxes: MailState["mailboxes"] = [];
  for (const account of target.accounts.filter((a) => a.password)) {
    const folders = await withImap(target, account, async (client) => {
      const found: MailState["mailboxes"][number]["folders"] = [];
      for (const listed of (await client.list()).sort((a, b) => a.path.localeCompare(b.path))) {
        if (listed.flags.has("\\Noselect")) continue;
        const opened = await client.mailboxOpen(listed.path, { readOnly: true });
        const messages: MailState["mailboxes"][number]["folders"][number]["messages"] = [];
        if (opened.exists > 0) {
          for await (const message of client.fetch("1:*", { uid: true, flags: true, size: true, source: true })) {
            messages.push({
              uid: message.uid,
              flags: storedFlags([...(message.flags ?? [])]),
              size: message.size ?? 0,
              sha256: createHash("sha256")
                .update(message.source ?? Buffer.alloc(0))
                .digest("hex"),
            });
          }
        }
        await client.mailboxClose();
        found.push({ path: listed.path, uidValidity: String(opened.uidValidity), messages });
      }
      return found;
    });
    mailboxes.push({ address: account.address, folders });
  }
  return mailboxes;
}

async function withImap<T>(target: MailTarget, account: MailAccount, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = await connectImap(target, account, "imaps");
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
