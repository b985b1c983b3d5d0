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
  schemaVersion: 1,
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
    },
    {
      id: "debian-11",
      name: "Debian 11 (bullseye)",
      phases: [
        { phase: "install", status: "not-run" },
        { phase: "archive", status: "not-run" },
      ],
    },
  ],
};
