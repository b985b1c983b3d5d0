import type { CheckContext } from "../context.ts";
import { expectThat, type MailAccount } from "../types.ts";
import type { LineClient } from "../wire/line-client.ts";
import { imapAuthenticatePlain, pop3, requireLineSafe, saslPlain, smtp } from "../wire/protocols.ts";
import { check } from "./define.ts";
import { smtpSession } from "./smtp.ts";
import { startTls } from "./tls.ts";

interface Attempts {
  smtp: string;
  imap: string;
  pop3: string;
}

/** The three logins at once (each refusal waits out Dovecot's auth_failure_delay); transcripts in a fixed order. */
async function tryLogins(ctx: CheckContext, account: MailAccount, password: string): Promise<{ codes: Attempts; ok: Record<keyof Attempts, boolean> }> {
  const connected = await Promise.allSettled([
    smtpSession(ctx, "submission", { starttls: true }).then(({ client }) => client),
    startTls(ctx, "imap"),
    startTls(ctx, "pop3"),
  ]);
  const clients = connected.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  try {
    const failed = connected.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    const [submission, imapClient, popClient] = clients as [LineClient, LineClient, LineClient];
    const [auth, login, pass] = await Promise.all([
      smtp(submission, `AUTH PLAIN ${saslPlain(account.address, password)}`, "AUTH PLAIN ***"),
      imapAuthenticatePlain(imapClient, account.address, password),
      pop3(popClient, `USER ${requireLineSafe(account.address, "address")}`).then(() =>
        pop3(popClient, `PASS ${requireLineSafe(password, "password")}`, { shown: "PASS ***" }),
      ),
    ]);
    return {
      codes: { smtp: `${auth.code} ${auth.text}`, imap: `${login.status} ${login.text}`, pop3: pass.status },
      ok: { smtp: auth.code === 235, imap: login.status === "OK", pop3: pass.ok },
    };
  } finally {
    for (const client of clients) {
      ctx.record(client);
      client.close();
    }
  }
}

export const goodCredentials = check({
  id: "auth-good",
  component: "dovecot",
  title: "Good credentials log in: SMTP AUTH (235), IMAP AUTHENTICATE PLAIN, POP3 USER/PASS",
  async run(ctx) {
    const { sender } = ctx.mailboxes();
    const { codes, ok } = await tryLogins(ctx, sender, sender.password);
    expectThat(ok.smtp, "235 to SMTP AUTH on 587", codes.smtp);
    expectThat(ok.imap, "OK to IMAP AUTHENTICATE PLAIN", codes.imap);
    expectThat(ok.pop3, "+OK to POP3 PASS", codes.pop3);
    return `${sender.address}: SMTP ${codes.smtp}; IMAP ${codes.imap}; POP3 ${codes.pop3}`;
  },
});

export const badCredentials = check({
  id: "auth-bad",
  component: "dovecot",
  title: "Bad credentials are refused: 535, NO [AUTHENTICATIONFAILED], -ERR",
  async run(ctx) {
    const { sender } = ctx.mailboxes();
    const { codes } = await tryLogins(ctx, sender, `wrong-${ctx.token}`);
    expectThat(codes.smtp.startsWith("535"), "535 to SMTP AUTH", codes.smtp);
    expectThat(codes.imap.startsWith("NO [AUTHENTICATIONFAILED]"), "NO [AUTHENTICATIONFAILED] to IMAP AUTHENTICATE PLAIN", codes.imap);
    expectThat(codes.pop3.startsWith("-ERR"), "-ERR to POP3 PASS", codes.pop3);
    return `wrong password for ${sender.address}: SMTP ${codes.smtp}; IMAP ${codes.imap}; POP3 ${codes.pop3}`;
  },
});

export const AUTH_CHECKS = [goodCredentials, badCredentials];
