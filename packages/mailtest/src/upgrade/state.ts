import { createHash } from "node:crypto";
import { sh } from "@msf/ssh";
import { rspamdKeyPath } from "../checks/dkim-key.ts";
import { submissionTransport } from "../checks/mail.ts";
import type { MailTarget } from "../checks/types.ts";
import type { MailState } from "./integrity.ts";
import { readMailboxes } from "./mailboxes.ts";

/** A destination nothing answers for (TEST-NET-1): a message to it waits in Postfix's deferred queue. */
export const DEFERRED_RECIPIENT = "deferred@[192.0.2.1]";

/** Pure: Postfix's queue from `postqueue -j` (one JSON object per line; anything else is skipped). */
export function parsePostqueue(output: string): MailState["queue"] {
  const queue: MailState["queue"] = [];
  for (const line of output.split("\n")) {
    try {
      const entry = JSON.parse(line) as { queue_id?: unknown; recipients?: Array<{ address?: unknown }> };
      if (typeof entry.queue_id !== "string") continue;
      queue.push({ id: entry.queue_id, recipients: (entry.recipients ?? []).map((r) => String(r.address)) });
    } catch {
      // not a queue entry
    }
  }
  return queue.sort((a, b) => a.id.localeCompare(b.id));
}

/** Submits one message (587, STARTTLS, AUTH) to a destination that cannot be reached, so it stays queued. */
export async function queueDeferred(target: MailTarget): Promise<void> {
  const account = target.accounts.find((a) => a.password);
  if (!account) throw new Error("no account with a password to submit as");
  const transport = submissionTransport(target, account);
  try {
    await transport.sendMail({
      from: account.address,
      to: DEFERRED_RECIPIENT,
      subject: "Waits in the queue across the upgrade",
      text: "Deferred by design.\n",
    });
  } finally {
    transport.close();
  }
}

/** Everything the upgrade must keep: mailboxes (over IMAP), the queue and the key Rspamd signs with (over SSH). */
export async function readMailState(target: MailTarget): Promise<MailState> {
  const ssh = target.ssh;
  if (!ssh) throw new Error("reading the mail queue needs SSH access to the server");
  const queue = await ssh.exec(["postqueue", "-j"], { timeoutMs: 60_000 });
  let dkimKey: string | undefined;
  if (target.dkim) {
    const dump = await ssh.exec(["rspamadm", "configdump", "dkim_signing"], { timeoutMs: 60_000 });
    const path = rspamdKeyPath(dump.stdout, target.dkim.domain, target.dkim.selector);
    const key = path ? await ssh.exec(sh`openssl pkey -in ${path} -pubout`, { timeoutMs: 30_000 }) : undefined;
    if (key?.exitCode === 0) dkimKey = createHash("sha256").update(key.stdout.trim()).digest("hex");
  }
  return { mailboxes: await readMailboxes(target), queue: parsePostqueue(queue.stdout), dkimKey };
}
