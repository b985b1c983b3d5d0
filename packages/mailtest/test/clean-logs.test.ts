import { describe, expect, it } from "vitest";
import { stackLogProblems } from "../src/checks/defs/services.ts";

describe("stackLogProblems (the clean-logs check)", () => {
  it("flags the stack failing to reach itself, not a remote mail server refusing Postfix's SMTP client", () => {
    // As journalctl -o short-iso printed them on an upgraded Debian 12 (the deferred test message retried).
    const lines = [
      "2026-12-01T13:58:20+0000 msf-debian-11 postfix/smtp[761]: connect to 192.0.2.1[192.0.2.1]:25: Connection refused",
      "2026-12-01T13:58:20+0000 msf-debian-11 postfix/smtp[761]: 4F1A2B3C: to=<deferred@[192.0.2.1]>, relay=none, delay=2520, status=deferred (connect to 192.0.2.1[192.0.2.1]:25: Connection refused)",
      "2026-12-01T13:58:21+0000 msf-debian-11 postfix/cleanup[800]: warning: connect to Milter service inet:localhost:11332: Connection refused",
      "2026-12-01T13:58:22+0000 msf-debian-11 postfix/lmtp[801]: connect to msf-debian-11[private/dovecot-lmtp]: Connection refused",
      "2026-12-01T13:58:23+0000 msf-debian-11 dovecot[500]: auth-worker: Error: pgsql(localhost): Connect failed to database (mail): connection refused",
      "2026-12-01T13:58:24+0000 msf-debian-11 postfix/submission/smtpd[802]: fatal: no SASL authentication mechanisms",
      "2026-12-01T13:58:25+0000 msf-debian-11 sshd[900]: Connection refused",
      "2026-12-01T13:58:26+0000 msf-debian-11 postfix/smtpd[803]: connect from localhost[127.0.0.1]",
    ];
    expect(stackLogProblems(lines)).toEqual([lines[2], lines[3], lines[4], lines[5]]);
  });
});
