import type { ReportInput } from "@msf/report";

const checks = [
  {
    id: "smtp-starttls",
    component: "postfix",
    status: "pass" as const,
    durationMs: 812,
    message: "STARTTLS offered, TLSv1.3",
    evidence: "S: 220 mail.msf.test ESMTP\nC: EHLO msf\nS: 250-STARTTLS",
  },
  {
    id: "imap-read-back",
    component: "dovecot",
    status: "pass" as const,
    durationMs: 1540,
    message: "the message came back over IMAP",
    evidence: "C: a1 LOGIN alice ***\nS: a1 OK",
  },
  { id: "gtube-rejected", component: "rspamd", status: "skip" as const, durationMs: 0, message: "not asked (--only)" },
];

/** A run with one distribution of each kind: passed, failed with diagnostics, never run. */
export const RUN: ReportInput = {
  schemaVersion: 2,
  runId: "20261125-1800-ab12",
  startedAt: "2026-11-25T18:00:00.000Z",
  finishedAt: "2026-11-25T18:09:30.000Z",
  status: "failed",
  host: { accel: "tcg", cpus: 2, memoryMiB: 24576 },
  distributions: [
    {
      id: "debian-12",
      name: "Debian 12 (bookworm)",
      phases: [
        { phase: "install", status: "done", durationMs: 118_000, evidence: "logs/debian-12/install.log" },
        { phase: "archive", status: "done", durationMs: 9_000 },
        { phase: "boot", status: "done", durationMs: 32_800, evidence: "vms/debian-12/serial.log" },
        { phase: "deploy", status: "done", durationMs: 114_000 },
        { phase: "test", status: "done", durationMs: 36_200 },
        { phase: "collect", status: "done", durationMs: 2_100 },
      ],
      checks,
      lifecycle: { state: "supported", endOfLife: "2028-06-30", note: "supported until 2028-06-30" },
      image: {
        key: "8823f6edfab24f6d",
        builtAt: "2026-11-25T17:58:00.000Z",
        suites: [
          { suite: "bookworm", date: "2026-07-11T10:16:37.000Z", digest: "1111111111111111" },
          { suite: "bookworm-updates", date: "2026-11-25T02:15:35.000Z", digest: "2222222222222222" },
          { suite: "bookworm-security", date: "2026-11-25T02:53:00.000Z", digest: "3333333333333333" },
        ],
      },
      versions: {
        source: "guest",
        kernelRelease: "6.1.0-41-amd64",
        stack: [
          { component: "postfix", package: "postfix", version: "3.7.11-0+deb12u1" },
          { component: "dovecot", package: "dovecot-core", version: "1:2.3.19.1+dfsg1-2.1+deb12u2" },
          { component: "postgresql", package: "postgresql-15", version: "15.14-0+deb12u1" },
          { component: "clamav" },
        ],
        packages: 412,
        packagesFile: "packages/debian-12.json",
      },
      changes: {
        baseline: { runId: "20261124-1800-cd34", finishedAt: "2026-11-24T18:10:00.000Z" },
        packages: [
          { name: "dovecot-core", from: "1:2.3.19.1+dfsg1-2.1+deb12u1", to: "1:2.3.19.1+dfsg1-2.1+deb12u2" },
          { name: "libfoo1", from: "1.0-1" },
          { name: "libfoo2", to: "2.0-1" },
        ],
        newlyFailing: [],
        newlyPassing: ["imap-read-back"],
      },
    },
    {
      id: "debian-13",
      name: "Debian 13 (trixie)",
      phases: [
        { phase: "install", status: "done", durationMs: 121_000 },
        { phase: "archive", status: "done", durationMs: 9_500 },
        { phase: "boot", status: "done", durationMs: 30_100 },
        { phase: "deploy", status: "timed-out", durationMs: 1_200_000, message: "deploy did not finish within 20 m 0 s <& last: apt-get>" },
        { phase: "test", status: "skipped" },
        { phase: "collect", status: "done", durationMs: 4_000 },
      ],
      diagnostics: "vms/debian-13/diagnostics/",
      lifecycle: { state: "supported", endOfLife: "2030-06-30", note: "supported until 2030-06-30" },
    },
    {
      id: "debian-11",
      name: "Debian 11 (bullseye)",
      phases: [
        { phase: "install", status: "not-run" },
        { phase: "archive", status: "not-run" },
      ],
      lifecycle: { state: "ended", endOfLife: "2026-08-31", note: "end of life since 2026-08-31" },
    },
  ],
};

/** A report as msf wrote it before schema 2 (no lifecycle, image, versions or changes): still readable. */
export const RUN_V1 = {
  ...RUN,
  schemaVersion: 1,
  distributions: RUN.distributions.map(({ lifecycle, image, versions, changes, ...rest }) => rest),
} satisfies ReportInput;

/** An upgrade report: one hop that survived, one that broke (a parser error, a lost message, a conffile left aside). */
export const UPGRADE_RUN: ReportInput = {
  schemaVersion: 2,
  runId: "debian-11-20261129-0400",
  startedAt: "2026-11-29T04:00:00.000Z",
  finishedAt: "2026-11-29T05:10:00.000Z",
  status: "failed",
  distributions: [],
  upgrades: [
    {
      hop: "debian-11 -> debian-12",
      from: "debian-11",
      to: "debian-12",
      verdict: "survived",
      stagesMs: { before: 290_000, upgrade: 1_310_000, reboot: 41_000, after: 64_000 },
      steps: [
        { name: "sources", exitCode: 0, ms: 1_300, log: "debian-11-to-debian-12.sources.log" },
        { name: "full-upgrade", exitCode: 0, ms: 1_250_000, log: "debian-11-to-debian-12.full-upgrade.log" },
      ],
      checks: { passed: 21, failed: 0, failing: [] },
      integrity: {
        intact: true,
        rows: [
          { subject: "alice@msf.test INBOX", check: "messages", status: "ok", detail: "12 before, 12 after" },
          { subject: "queue", check: "queue", status: "ok", detail: "1 queued before, still queued" },
        ],
      },
      packages: [{ name: "postfix", from: "3.5.25-0+deb11u1", to: "3.7.11-0+deb12u1" }],
      conffiles: [],
      failedUnits: [],
    },
    {
      hop: "debian-12 -> debian-13",
      from: "debian-12",
      to: "debian-13",
      verdict: "broken",
      stagesMs: { upgrade: 1_500_000, reboot: 45_000, after: 70_000, redeploy: 120_000 },
      steps: [{ name: "full-upgrade", exitCode: 0, ms: 1_400_000, log: "debian-12-to-debian-13.full-upgrade.log" }],
      checks: { passed: 12, failed: 2, failing: ["imap-login: connection refused", "pop3-login: connection refused"] },
      redeploy: { passed: 13, failed: 1, failing: ["imap-read-back: 11 of 12 | messages"] },
      integrity: {
        intact: false,
        rows: [{ subject: "alice@msf.test Archive|2025", check: "messages", status: "failed", detail: "missing: UID 3 (2048 bytes) (12 before, 11 after)" }],
      },
      packages: [{ name: "dovecot-core", from: "1:2.3.19.1+dfsg1-2.1+deb12u2", to: "1:2.4.1+dfsg1-6" }],
      conffiles: [{ file: "/etc/dovecot/conf.d/10-mail.conf.dpkg-dist", diff: "-mail_location = maildir:~/Maildir\n+mail_driver = maildir" }],
      failedUnits: [
        {
          unit: "dovecot.service",
          journal: "doveconf: Fatal: Error in configuration file /etc/dovecot/conf.d/90-local.conf line 2: Unknown setting: mail_location <x>",
        },
      ],
    },
  ],
};
