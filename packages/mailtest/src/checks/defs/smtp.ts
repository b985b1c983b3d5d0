import type { CheckContext } from "../context.ts";
import { expectThat } from "../types.ts";
import { ehloKeywords, saslPlain, smtp, smtpReply } from "../wire/protocols.ts";
import { check } from "./define.ts";

/** Connects to 25 or 587, reads the banner, says EHLO; optionally STARTTLS and EHLO again. */
export async function smtpSession(ctx: CheckContext, service: "smtp" | "submission" | "smtps", options: { starttls?: boolean } = {}) {
  const client = await ctx.connect(service);
  const banner = await smtpReply(client);
  expectThat(banner.code === 220, `a 220 banner on ${service}`, banner.lines.join(" "));
  let ehlo = await smtp(client, `EHLO client.${ctx.target.domain}`);
  if (options.starttls) {
    const ready = await smtp(client, "STARTTLS");
    expectThat(ready.code === 220, "220 to STARTTLS", ready.lines.join(" "));
    await client.startTls(ctx.tls());
    ehlo = await smtp(client, `EHLO client.${ctx.target.domain}`);
  }
  return { client, ehlo, keywords: ehloKeywords(ehlo) };
}

export const ehloOn25 = check({
  id: "smtp-ehlo",
  component: "postfix",
  title: "EHLO on 25 offers STARTTLS, SIZE and PIPELINING, and no AUTH",
  async run(ctx) {
    const { client, keywords } = await smtpSession(ctx, "smtp");
    ctx.record(client);
    client.close();
    for (const keyword of ["STARTTLS", "SIZE", "PIPELINING"])
      expectThat(
        keywords.some((k) => k.startsWith(keyword)),
        `${keyword} in the EHLO reply`,
        keywords.join(", "),
      );
    expectThat(!keywords.some((k) => k.startsWith("AUTH")), "no AUTH on port 25", keywords.join(", "));
    return `EHLO offers ${keywords.join(", ")}`;
  },
});

export const authPlacement = check({
  id: "auth-placement",
  component: "postfix",
  title: "AUTH only where it belongs: not on 25 (even with TLS), not on 587 before STARTTLS, offered after it",
  async run(ctx) {
    const on25 = await smtpSession(ctx, "smtp", { starttls: true });
    ctx.record(on25.client);
    on25.client.close();
    expectThat(!on25.keywords.some((k) => k.startsWith("AUTH")), "no AUTH on 25 even after STARTTLS", on25.keywords.join(", "));
    const before = await smtpSession(ctx, "submission");
    expectThat(!before.keywords.some((k) => k.startsWith("AUTH")), "no AUTH on 587 before STARTTLS", before.keywords.join(", "));
    const { sender } = ctx.mailboxes();
    const early = await smtp(before.client, `AUTH PLAIN ${saslPlain(sender.address, sender.password)}`, "AUTH PLAIN ***");
    expectThat(early.code >= 500, "AUTH before STARTTLS refused with 5xx", `${early.code} ${early.text}`);
    ctx.record(before.client);
    before.client.close();
    const after = await smtpSession(ctx, "submission", { starttls: true });
    ctx.record(after.client);
    after.client.close();
    const auth = after.keywords.find((k) => k.startsWith("AUTH"));
    expectThat(auth?.includes("PLAIN") === true, "AUTH PLAIN offered on 587 after STARTTLS", after.keywords.join(", "));
    return `25: no AUTH with or without TLS; 587: AUTH refused before STARTTLS (${early.code}), "${auth}" after it`;
  },
});

export const sizeLimit = check({
  id: "size-limit",
  component: "postfix",
  title: "EHLO advertises SIZE and a larger message is refused (552)",
  async run(ctx) {
    const { client, keywords } = await smtpSession(ctx, "smtp");
    const size = keywords.find((k) => k.startsWith("SIZE"));
    const limit = Number(size?.split(" ")[1]);
    expectThat(limit > 0, "SIZE <limit> in the EHLO reply", size ?? keywords.join(", "));
    if (ctx.target.messageSizeLimit) expectThat(limit === ctx.target.messageSizeLimit, `SIZE ${ctx.target.messageSizeLimit}`, size as string);
    const { recipient } = ctx.mailboxes();
    const mail = await smtp(client, `MAIL FROM:<size-probe@example.org> SIZE=${limit + 1}`);
    ctx.record(client);
    client.close();
    expectThat(mail.code === 552, `552 for a message of ${limit + 1} bytes`, `${mail.code} ${mail.text}`);
    return `SIZE ${limit} advertised; a ${limit + 1}-byte message to ${recipient.address} refused: ${mail.code} ${mail.text}`;
  },
});

export const openRelay = check({
  id: "open-relay",
  component: "postfix",
  title: "No open relay, classic tricks included, and nothing queued",
  async run(ctx) {
    const local = ctx.target.domain;
    const { recipient } = ctx.mailboxes();
    const variants: Array<[string, string]> = [
      ["outside recipient", "<relay-test@example.org>"],
      ["percent hack", `<relay-test%example.org@${local}>`],
      ["quoted", `<"relay-test@example.org">`],
      ["quoted local part", `<"relay-test@example.org"@${local}>`],
      ["source route", `<@${local}:relay-test@example.org>`],
      ["bang path", `<example.org!relay-test@${local}>`],
    ];
    const senders = [
      ["outside sender", "<someone@example.net>"],
      ["null sender", "<>"],
      ["local-domain sender", `<${recipient.address}>`],
    ];
    const accepted: string[] = [];
    for (const [senderLabel, sender] of senders) {
      const { client } = await smtpSession(ctx, "smtp");
      const mail = await smtp(client, `MAIL FROM:${sender}`);
      expectThat(mail.code === 250, `250 to MAIL FROM:${sender}`, `${mail.code} ${mail.text}`);
      for (const [label, rcpt] of variants) {
        const reply = await smtp(client, `RCPT TO:${rcpt}`);
        if (reply.code < 400) accepted.push(`${label} with ${senderLabel} (${rcpt}: ${reply.code})`);
      }
      await smtp(client, "QUIT");
      ctx.record(client);
      client.close();
    }
    expectThat(accepted.length === 0, "every relay attempt refused", `accepted: ${accepted.join("; ")}`);
    let queued = "not checked (no SSH access)";
    if (ctx.target.ssh) {
      const queue = await ctx.remote(["postqueue", "-j"]);
      const relayed = queue.stdout.split("\n").filter((line) => line.includes("relay-test"));
      expectThat(relayed.length === 0, "no relay attempt in the queue", relayed.join("\n"));
      queued = "the queue holds none of them";
    }
    return `${variants.length * senders.length} relay attempts (${variants.map((v) => v[0]).join(", ")} x ${senders.length} senders) all refused; ${queued}`;
  },
});

export const unknownRecipient = check({
  id: "unknown-recipient",
  component: "postfix",
  title: "An unknown local recipient is rejected with 550",
  async run(ctx) {
    const { client } = await smtpSession(ctx, "smtp");
    await smtp(client, "MAIL FROM:<someone@example.net>");
    const reply = await smtp(client, `RCPT TO:<nobody-${ctx.token}@${ctx.target.domain}>`);
    ctx.record(client);
    client.close();
    expectThat(reply.code === 550, "550 for an unknown mailbox", `${reply.code} ${reply.text}`);
    return `RCPT to an unknown mailbox: ${reply.code} ${reply.text}`;
  },
});

export const senderSpoofing = check({
  id: "sender-spoofing",
  component: "postfix",
  title: "A logged-in user cannot send as an address it does not own",
  async run(ctx) {
    const { sender, recipient } = ctx.mailboxes();
    const victim = ctx.target.accounts.find((a) => a.address !== sender.address)?.address ?? `someone-else@${ctx.target.domain}`;
    const { client } = await smtpSession(ctx, "submission", { starttls: true });
    const auth = await smtp(client, `AUTH PLAIN ${saslPlain(sender.address, sender.password)}`, "AUTH PLAIN ***");
    expectThat(auth.code === 235, "235 for good credentials", `${auth.code} ${auth.text}`);
    const mail = await smtp(client, `MAIL FROM:<${victim}>`);
    const rcpt = mail.code === 250 ? await smtp(client, `RCPT TO:<${recipient.address}>`) : mail;
    ctx.record(client);
    client.close();
    expectThat(rcpt.code >= 500, `a 5xx refusal for ${sender.address} sending as ${victim}`, `${rcpt.code} ${rcpt.text}`);
    return `${sender.address} sending as ${victim}: ${rcpt.code} ${rcpt.text}`;
  },
});

export const SMTP_CHECKS = [ehloOn25, authPlacement, sizeLimit, openRelay, unknownRecipient, senderSpoofing];
