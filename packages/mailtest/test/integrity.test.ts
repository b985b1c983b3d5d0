import { CORPUS, CORPUS_FOLDERS, compareMailStates, type MailState, parsePostqueue } from "@msf/mailtest";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const message = fc.record({
  uid: fc.integer({ min: 1, max: 10_000 }),
  flags: fc.subarray(["\\Seen", "\\Flagged", "\\Answered", "$Label1"]),
  size: fc.nat(),
  sha256: hex,
});
const folder = fc.record({
  path: fc.constantFrom("INBOX", "Archive", "Projekte/Überfällig"),
  uidValidity: fc.integer({ min: 1 }).map(String),
  messages: fc.uniqueArray(message, { selector: (m) => m.uid, minLength: 1, maxLength: 8 }),
});
const state: fc.Arbitrary<MailState> = fc.record({
  mailboxes: fc.uniqueArray(
    fc.record({ address: fc.constantFrom("alice@msf.test", "bob@msf.test"), folders: fc.uniqueArray(folder, { selector: (f) => f.path, minLength: 1 }) }),
    { selector: (m) => m.address, minLength: 1 },
  ),
  queue: fc.array(fc.record({ id: fc.stringMatching(/^[0-9A-F]{10}$/), recipients: fc.constant(["x@[192.0.2.1]"]) }), { maxLength: 2 }),
  dkimKey: hex,
});
const clone = (s: MailState): MailState => structuredClone(s);

describe("the integrity table of an upgrade", () => {
  it("says intact when nothing changed, and the messages may come back in any order", () => {
    fc.assert(
      fc.property(state, (before) => {
        const after = clone(before);
        for (const f of after.mailboxes.flatMap((m) => m.folders)) f.messages.reverse();
        const report = compareMailStates(before, after);
        expect(report.rows.filter((r) => r.status !== "ok")).toEqual([]);
        expect(report.intact).toBe(true);
      }),
    );
  });

  it("ignores \\Recent, which belongs to a session, not to the mailbox (reading the state takes it; Dovecot 2.4 has none)", () => {
    fc.assert(
      fc.property(state, (before) => {
        const withRecent = clone(before);
        for (const m of withRecent.mailboxes.flatMap((b) => b.folders).flatMap((f) => f.messages)) m.flags.push("\\Recent");
        expect(compareMailStates(withRecent, before).intact).toBe(true);
      }),
    );
  });

  it("names any message that is gone or whose content changed", () => {
    fc.assert(
      fc.property(state, fc.nat(), fc.boolean(), (before, pick, alter) => {
        const after = clone(before);
        const folders = after.mailboxes.flatMap((m) => m.folders.map((f) => ({ address: m.address, f })));
        const { address, f } = folders[pick % folders.length] as (typeof folders)[number];
        const victim = f.messages[pick % f.messages.length] as MailState["mailboxes"][number]["folders"][number]["messages"][number];
        if (alter) victim.sha256 = victim.sha256.replace(/^./, (c) => (c === "0" ? "1" : "0"));
        else f.messages.splice(f.messages.indexOf(victim), 1);
        const report = compareMailStates(before, after);
        expect(report.intact).toBe(false);
        const row = report.rows.find((r) => r.subject === `${address} ${f.path}` && r.check === "messages");
        expect(row?.status).toBe("failed");
        expect(row?.detail).toContain(`UID ${victim.uid} `);
      }),
    );
  });

  it("fails on a new UIDVALIDITY, renumbered UIDs, lost flags, a lost folder, queue or DKIM key", () => {
    const before: MailState = {
      mailboxes: [
        {
          address: "alice@msf.test",
          folders: [
            { path: "INBOX", uidValidity: "1700000000", messages: [{ uid: 1, flags: ["\\Seen", "$Label1"], size: 10, sha256: "a".repeat(64) }] },
            { path: "Archive", uidValidity: "1700000001", messages: [{ uid: 4, flags: [], size: 20, sha256: "b".repeat(64) }] },
          ],
        },
      ],
      queue: [{ id: "4F2A91C3D0", recipients: ["deferred@[192.0.2.1]"] }],
      dkimKey: "c".repeat(64),
    };
    const after: MailState = {
      mailboxes: [
        {
          address: "alice@msf.test",
          folders: [{ path: "INBOX", uidValidity: "1800000000", messages: [{ uid: 7, flags: ["\\Seen"], size: 10, sha256: "a".repeat(64) }] }],
        },
      ],
      queue: [],
      dkimKey: "d".repeat(64),
    };
    const failed = compareMailStates(before, after)
      .rows.filter((r) => r.status === "failed")
      .map((r) => `${r.subject} ${r.check}: ${r.detail}`);
    expect(failed).toEqual([
      "alice@msf.test INBOX uidvalidity: 1700000000 -> 1800000000",
      "alice@msf.test INBOX uids: renumbered: UID 1 -> 7",
      "alice@msf.test INBOX flags: UID 1: $Label1 \\Seen -> \\Seen",
      "alice@msf.test Archive folder: the folder is gone",
      "queue queue: 4F2A91C3D0 to deferred@[192.0.2.1] left the queue",
      "dkim dkim: signs with another key",
    ]);
  });
});

describe("the recorded state", () => {
  it("reads Postfix's queue from postqueue -j, skipping anything that is not an entry", () => {
    const output = [
      '{"queue_name": "deferred", "queue_id": "4F2A91C3D0", "arrival_time": 1, "recipients": [{"address": "deferred@[192.0.2.1]", "delay_reason": "connect timed out"}]}',
      "postqueue: warning: something",
      '{"queue_name": "active", "queue_id": "1B2C3D4E5F", "recipients": [{"address": "a@x"}, {"address": "b@x"}]}',
      '{"no_id": true}',
    ].join("\n");
    expect(parsePostqueue(output)).toEqual([
      { id: "1B2C3D4E5F", recipients: ["a@x", "b@x"] },
      { id: "4F2A91C3D0", recipients: ["deferred@[192.0.2.1]"] },
    ]);
  });

  it("composes a realistic corpus: non-ASCII subject and sender, HTML, a 5 MiB attachment, nested folders", async () => {
    const account = { address: "alice@msf.test", password: "x", role: "email" as const, aliases: [] };
    const built = await Promise.all(CORPUS.map((m) => m.build(account, "msf.test")));
    expect(built.every((b) => b.includes("\r\n\r\n"))).toBe(true);
    expect(Math.max(...built.map((b) => b.length))).toBeGreaterThan(5 * 1024 * 1024); // base64: 4/3 of 5 MiB
    expect(built[1]?.toString()).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(new Set(CORPUS.map((m) => m.folder.join("/")))).toEqual(new Set(["INBOX", ...CORPUS_FOLDERS.map((f) => f.join("/"))]));
  });
});
