import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { uniqueEicar } from "../../recipe/clamav.ts";
import type { CheckContext } from "../context.ts";
import { dkimTags, findDkimKey } from "../dkim-key.ts";
import { readBackImap, readBackPop3, submit } from "../mail.ts";
import { CheckSkipped, expectThat } from "../types.ts";
import { smtp, smtpReply } from "../wire/protocols.ts";
import { check } from "./define.ts";

export const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
const DELIVERY_TIMEOUT_MS = 90_000;

export const delivery = check({
  id: "delivery",
  slow: true,
  component: "dovecot",
  title: "Mail submitted on 587 arrives intact, read back over IMAP (143 STARTTLS and 993) and POP3",
  async run(ctx) {
    const { sender, recipient } = ctx.mailboxes();
    const body = `msf delivery check ${ctx.token}\nline two: ünïcödé\n`;
    const sent = await submit(ctx, { from: sender, to: recipient.address, subject: `msf delivery ${ctx.token}`, text: body });
    ctx.note(`submitted ${sent.messageId}: ${sent.response}`);
    const viaImap = await readBackImap(ctx, recipient, sent.messageId, "imap", DELIVERY_TIMEOUT_MS);
    // Delivered: the other two read it back at once.
    const [viaImaps, viaPop3] = await Promise.all([
      readBackImap(ctx, recipient, sent.messageId, "imaps", 10_000),
      readBackPop3(ctx, recipient, sent.messageId),
    ]);
    for (const [how, source] of [
      ["IMAP 143", viaImap],
      ["IMAP 993", viaImaps],
      ["POP3", viaPop3],
    ] as const) {
      expectThat(decoded(source).includes(body.trim().split("\n")[1] as string), `the body intact over ${how}`, source.slice(-300));
    }
    return `${sent.messageId} from ${sender.address} to ${recipient.address}: read back intact over IMAP 143 (STARTTLS), IMAP 993 and POP3`;
  },
});

/** The text of a message whatever its transfer encoding (quoted-printable or base64 for the non-ASCII line). */
function decoded(source: string): string {
  const [, ...bodyParts] = source.split(/\r?\n\r?\n/);
  const body = bodyParts.join("\n\n");
  if (/content-transfer-encoding:\s*base64/i.test(source)) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (/content-transfer-encoding:\s*quoted-printable/i.test(source)) {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

export const aliasDelivery = check({
  id: "alias",
  slow: true,
  component: "postgresql",
  title: "An alias from PostgreSQL delivers to its target",
  async run(ctx) {
    const owner = ctx.target.accounts.find((a) => a.aliases.length);
    if (!owner) throw new CheckSkipped("no account has an alias: nothing to prove");
    const { sender } = ctx.mailboxes();
    const alias = owner.aliases[0] as string;
    const sent = await submit(ctx, { from: sender, to: alias, subject: `msf alias ${ctx.token}`, text: `to ${alias}` });
    await readBackImap(ctx, owner, sent.messageId, "imaps", DELIVERY_TIMEOUT_MS);
    return `mail to ${alias} arrived in ${owner.address}'s INBOX`;
  },
});

/** Sends unauthenticated on 25 (as mail from outside arrives) and returns the reply to the end of DATA. */
async function inbound(ctx: CheckContext, to: string, subject: string, mime: string): Promise<{ code: number; text: string; messageId: string }> {
  const client = await ctx.connect("smtp");
  const messageId = `<msf-${subject.replace(/\W+/g, "-")}-${ctx.token}@example.org>`;
  try {
    await smtpReply(client);
    await smtp(client, "EHLO sender.example.org");
    await smtp(client, "MAIL FROM:<sender@example.org>");
    const rcpt = await smtp(client, `RCPT TO:<${to}>`);
    expectThat(rcpt.code === 250, `250 to RCPT TO:<${to}>`, `${rcpt.code} ${rcpt.text}`);
    await smtp(client, "DATA");
    const message = `From: <sender@example.org>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nMessage-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n${mime}`;
    client.send(`${message.replace(/\r\n\./g, "\r\n..")}\r\n.`, `[message ${subject}, ${message.length} bytes]`);
    const end = await smtpReply(client, 180_000); // scanned by Rspamd and ClamAV before the reply
    await smtp(client, "QUIT").catch(() => undefined);
    return { code: end.code, text: end.text, messageId };
  } finally {
    ctx.record(client);
    client.close();
  }
}

async function absentFromInbox(ctx: CheckContext, messageId: string): Promise<void> {
  const { recipient } = ctx.mailboxes();
  const found = await readBackImap(ctx, recipient, messageId, "imaps", 1_000).then(
    () => true,
    () => false,
  );
  expectThat(!found, `${messageId} not to be in the INBOX`, "it was delivered");
}

export const spam = check({
  id: "spam-gtube",
  slow: true,
  component: "rspamd",
  title: "GTUBE sent inbound on 25 is rejected at DATA by Rspamd and never reaches the INBOX",
  async run(ctx) {
    const { recipient } = ctx.mailboxes();
    const reply = await inbound(ctx, recipient.address, "gtube", `Content-Type: text/plain\r\n\r\nThis is spam.\r\n${GTUBE}\r\n`);
    expectThat(reply.code >= 500, "a 5xx rejection at the end of DATA", `${reply.code} ${reply.text}`);
    await absentFromInbox(ctx, reply.messageId);
    return `GTUBE rejected: ${reply.code} ${reply.text}`;
  },
});

export const virus = check({
  id: "virus-eicar",
  component: "clamav",
  title: "A message with the EICAR test file attached is rejected (Rspamd antivirus -> clamd)",
  async run(ctx) {
    const { recipient } = ctx.mailboxes();
    const boundary = `msf-${ctx.token}`;
    const mime = [
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      "",
      `--${boundary}`,
      "Content-Type: text/plain",
      "",
      "Attached: the EICAR anti-virus test file.",
      `--${boundary}`,
      'Content-Type: application/octet-stream; name="eicar.com"',
      'Content-Disposition: attachment; filename="eicar.com"',
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from(uniqueEicar(ctx.token), "latin1").toString("base64"),
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const reply = await inbound(ctx, recipient.address, "eicar", mime);
    expectThat(reply.code >= 500, "a 5xx rejection at the end of DATA", `${reply.code} ${reply.text}`);
    await absentFromInbox(ctx, reply.messageId);
    return `EICAR attachment rejected: ${reply.code} ${reply.text}`;
  },
});

export const dkim = check({
  id: "dkim",
  component: "rspamd",
  title: "Mail submitted on 587 carries a DKIM-Signature of the mail domain that verifies against its published key",
  async run(ctx) {
    const { sender, recipient } = ctx.mailboxes();
    const sent = await submit(ctx, { from: sender, to: recipient.address, subject: `msf dkim ${ctx.token}`, text: "signed, I hope" });
    const source = await readBackImap(ctx, recipient, sent.messageId, "imaps", DELIVERY_TIMEOUT_MS);
    const signature = source.split(/\r?\n(?!\s)/).find((h) => /^dkim-signature:/i.test(h));
    expectThat(signature !== undefined, "a DKIM-Signature header", "none");
    ctx.note(signature.replace(/\s+/g, " ").slice(0, 200));
    const { d: domain = "", s: selector = "" } = dkimTags(signature);
    expectThat(domain === ctx.target.domain && selector !== "", `a signature of ${ctx.target.domain} (d=) with a selector (s=)`, `d=${domain} s=${selector}`);
    const name = `${selector}._domainkey.${domain}`;
    const key = await findDkimKey(ctx, domain, selector);
    for (const note of key.notes) ctx.note(`key ${name}: ${note}`);
    if (!key.txt)
      throw new CheckSkipped(
        `signed by ${domain} (s=${selector}), but its key could not be found (${key.notes.join("; ")}); give it with the target (dkim in the accounts file)`,
      );
    const txt = key.txt;
    const result = await dkimVerify(Buffer.from(source), {
      resolver: async (lookup: string, type: string) => {
        if (lookup === name && type === "TXT") return [[txt]];
        throw Object.assign(new Error(`no ${type} record for ${lookup} in the stub resolver`), { code: "ENOTFOUND" });
      },
    });
    const verdicts = result.results.map((r) => `${r.signingDomain}: ${r.status.result}${r.status.comment ? ` (${r.status.comment})` : ""}`);
    expectThat(
      result.results.some((r) => r.status.result === "pass" && r.signingDomain === domain),
      `a passing signature of ${domain}`,
      verdicts.join("; "),
    );
    return `${sent.messageId} signed by ${domain} (${name}, key from ${key.notes.at(-1)}): ${verdicts.join("; ")}`;
  },
});

export const FLOW_CHECKS = [delivery, aliasDelivery, spam, virus, dkim];
