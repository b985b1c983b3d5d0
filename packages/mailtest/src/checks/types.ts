import type { SshSession } from "@msf/ssh";
import type { Endpoint } from "./wire/line-client.ts";

export const Components = ["stack", "postfix", "dovecot", "tls", "rspamd", "clamav", "redis", "postgresql"] as const;
export type Component = (typeof Components)[number];

export type CheckStatus = "pass" | "fail" | "skip" | "error";

export interface CheckResult {
  id: string;
  component: Component;
  title: string;
  status: CheckStatus;
  durationMs: number;
  /** What was proven, or what was expected and what came back. */
  message: string;
  /** The wire transcript and observations behind the verdict (credentials masked). */
  evidence: string[];
  /** Of durationMs, the time spent waiting on deadlines (mail arriving, services starting). */
  waitedMs: number;
}

export type MailService = "smtp" | "submission" | "smtps" | "imap" | "imaps" | "pop3" | "pop3s";

export interface MailAccount {
  address: string;
  password: string;
  role: "postmaster" | "email";
  aliases: string[];
}

/** Any mail server, as the checks see it: no assumption about who deployed it. */
export interface MailTarget {
  /** The name on the certificate and in the banners. */
  hostname: string;
  domain: string;
  endpoints: Record<MailService, Endpoint>;
  /** CA the server certificate must verify against; absent: the system's CAs. */
  caPem?: string;
  accounts: MailAccount[];
  messageSizeLimit?: number;
  /** DKIM key as published (the TXT record), to verify signatures without DNS. */
  dkim?: { domain: string; selector: string; txt: string };
  /** Shell access for the checks that look inside (queues, lookups, loopback services, logs). */
  ssh?: SshSession;
  /** ClamAV runs on the bundled test signature only (no internet for freshclam): no database date to expect. */
  bundledSignaturesOnly?: boolean;
  /** systemd units behind the readiness probes: a unit that is down is not waited for. */
  units?: Partial<Record<"smtp" | "clamd" | "rspamd" | "redis", string>>;
}

/** A check that did not hold: what was expected, what came back. */
export class CheckFailure extends Error {
  constructor(expected: string, got: string) {
    super(`expected ${expected}; got ${got}`);
    this.name = "CheckFailure";
  }
}

/** A check with nothing to prove on this server (no alias configured, no key reachable): skipped, with the reason. */
export class CheckSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "CheckSkipped";
  }
}

export function expectThat(condition: boolean, expected: string, got: string): asserts condition {
  if (!condition) throw new CheckFailure(expected, got);
}
