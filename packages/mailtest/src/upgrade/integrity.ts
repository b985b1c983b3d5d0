import { z } from "zod";

// What a mail server holds, as a client sees it, recorded before and after an upgrade, and the
// comparison that says whether the mail survived: every message with the same content, the same
// UID under the same UIDVALIDITY (or clients download everything again), flags and folders kept,
// the queue carried over, DKIM signing with the same key.

export const MessageStateSchema = z.object({
  uid: z.number().int().positive(),
  flags: z.array(z.string()),
  size: z.number().int().nonnegative(),
  /** sha256 of the message as the server returns it (RFC822 / BODY[]). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const FolderStateSchema = z.object({
  path: z.string(),
  uidValidity: z.string(),
  messages: z.array(MessageStateSchema),
});

export const MailboxStateSchema = z.object({
  address: z.string(),
  folders: z.array(FolderStateSchema),
});

export const MailStateSchema = z.object({
  mailboxes: z.array(MailboxStateSchema),
  /** Postfix's queue: ids and recipients (`postqueue -j`). */
  queue: z.array(z.object({ id: z.string(), recipients: z.array(z.string()) })),
  /** sha256 of the DKIM public key the server publishes for its selector. */
  dkimKey: z.string().optional(),
});
export type MailState = z.infer<typeof MailStateSchema>;

export type IntegrityStatus = "ok" | "failed";

export interface IntegrityRow {
  /** "alice@msf.test INBOX", "queue", "dkim". */
  subject: string;
  check: "folder" | "uidvalidity" | "messages" | "uids" | "flags" | "queue" | "dkim";
  status: IntegrityStatus;
  detail: string;
}

export interface IntegrityReport {
  intact: boolean;
  rows: IntegrityRow[];
}

/** Pure: the integrity table of an upgrade, one row per mailbox folder and aspect. */
/**
 * Pure: the flags a mailbox keeps, sorted. \Recent is not one: it belongs to the first session that
 * sees a message (reading the state takes it) and IMAP4rev2, so Dovecot 2.4, dropped it.
 */
export function storedFlags(flags: readonly string[]): string[] {
  return flags.filter((flag) => flag.toLowerCase() !== "\\recent").sort();
}

export function compareMailStates(before: MailState, after: MailState): IntegrityReport {
  const rows: IntegrityRow[] = [];
  const row = (subject: string, check: IntegrityRow["check"], failures: string[], okDetail: string) =>
    rows.push({ subject, check, status: failures.length ? "failed" : "ok", detail: failures.length ? failures.join("; ") : okDetail });

  for (const mailbox of before.mailboxes) {
    const later = after.mailboxes.find((m) => m.address === mailbox.address);
    for (const folder of mailbox.folders) {
      const subject = `${mailbox.address} ${folder.path}`;
      const now = later?.folders.find((f) => f.path === folder.path);
      if (!now) {
        row(subject, "folder", [later ? "the folder is gone" : "the mailbox is gone"], "");
        continue;
      }
      row(subject, "uidvalidity", now.uidValidity === folder.uidValidity ? [] : [`${folder.uidValidity} -> ${now.uidValidity}`], folder.uidValidity);
      rows.push(...compareMessages(subject, folder.messages, now.messages, now.uidValidity === folder.uidValidity));
    }
  }

  const queued = new Set(after.queue.map((q) => q.id));
  const lost = before.queue.filter((q) => !queued.has(q.id));
  // A queued message may be delivered meanwhile; here nothing can deliver it (its destination is
  // unreachable by design), so one missing from the queue is lost.
  row(
    "queue",
    "queue",
    lost.map((q) => `${q.id} to ${q.recipients.join(", ")} left the queue`),
    `${before.queue.length} queued before, still queued`,
  );

  if (before.dkimKey) {
    row("dkim", "dkim", after.dkimKey === before.dkimKey ? [] : [after.dkimKey ? "signs with another key" : "no DKIM key published"], "the same key");
  }
  return { intact: rows.every((r) => r.status === "ok"), rows };
}

function compareMessages(
  subject: string,
  before: z.infer<typeof MessageStateSchema>[],
  after: z.infer<typeof MessageStateSchema>[],
  sameUidValidity: boolean,
): IntegrityRow[] {
  const byHash = new Map<string, z.infer<typeof MessageStateSchema>[]>();
  for (const message of after) byHash.set(message.sha256, [...(byHash.get(message.sha256) ?? []), message]);
  const missing: string[] = [];
  const moved: string[] = [];
  const flags: string[] = [];
  for (const message of before) {
    const candidates = byHash.get(message.sha256) ?? [];
    const match = candidates.find((m) => m.uid === message.uid) ?? candidates[0];
    if (!match) {
      missing.push(`UID ${message.uid} (${message.size} bytes)`);
      continue;
    }
    candidates.splice(candidates.indexOf(match), 1);
    if (match.uid !== message.uid) moved.push(`UID ${message.uid} -> ${match.uid}`);
    const [was, is] = [storedFlags(message.flags).join(" "), storedFlags(match.flags).join(" ")];
    if (was !== is) flags.push(`UID ${message.uid}: ${was || "(none)"} -> ${is || "(none)"}`);
  }
  const count = `${before.length} before, ${after.length} after`;
  return [
    { subject, check: "messages", status: missing.length ? "failed" : "ok", detail: missing.length ? `missing: ${missing.join(", ")} (${count})` : count },
    {
      subject,
      check: "uids",
      status: moved.length || !sameUidValidity ? "failed" : "ok",
      detail: moved.length ? `renumbered: ${moved.join(", ")}` : sameUidValidity ? "every UID kept" : "UIDVALIDITY changed: clients fetch everything again",
    },
    { subject, check: "flags", status: flags.length ? "failed" : "ok", detail: flags.length ? flags.join(", ") : "every flag kept" },
  ];
}
