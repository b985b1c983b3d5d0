import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** One journal line: the run, its 1-based line number (the SSE event id is `runId:line`) and the line. */
export interface JournalLine {
  runId: string;
  line: number;
  text: string;
}

export interface Cursor {
  runId: string;
  line: number;
}

/** Pure: the cursor a `Last-Event-ID` names, or undefined when it names none. */
export function parseEventId(id: string | undefined): Cursor | undefined {
  const match = /^([0-9A-Za-z][0-9A-Za-z_-]{0,63}):(\d{1,9})$/.exec(id ?? "");
  return match ? { runId: match[1] as string, line: Number(match[2]) } : undefined;
}

/** A journal is a few hundred lines; one larger than this is not msf's and is read no further. */
const MAX_JOURNAL_BYTES = 8 * 1024 * 1024;

async function journalLines(runsDir: string, runId: string): Promise<string[]> {
  const file = await open(join(runsDir, runId, "journal.ndjson")).catch(() => undefined);
  if (!file) return [];
  try {
    const buffer = Buffer.alloc(Math.min((await file.stat()).size, MAX_JOURNAL_BYTES));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    // Only whole lines: the writer may be halfway through the last one.
    return text
      .slice(0, text.lastIndexOf("\n") + 1)
      .split("\n")
      .slice(0, -1);
  } finally {
    await file.close();
  }
}

const runIds = async (runsDir: string) => (await readdir(runsDir).catch(() => [] as string[])).filter((id) => !id.startsWith(".")).sort();

/** Where the journals end now: the newest run and its line count (undefined when there is no run yet). */
export async function journalsEnd(runsDir: string): Promise<Cursor | undefined> {
  const newest = (await runIds(runsDir)).at(-1);
  return newest === undefined ? undefined : { runId: newest, line: (await journalLines(runsDir, newest)).length };
}

/** Where a follower is in one journal: the bytes and the whole lines read so far. */
interface Position {
  offset: number;
  line: number;
}

/** At most this much of a journal is read at a time, so a follower's memory stays flat however long the run. */
const READ_BYTES = 1024 * 1024;

/** The whole lines written past `from` (a line still being written waits for its newline). */
async function linesAfter(path: string, from: Position): Promise<{ lines: string[]; next: Position }> {
  const file = await open(path).catch(() => undefined);
  if (!file) return { lines: [], next: from };
  try {
    const length = Math.min((await file.stat()).size - from.offset, READ_BYTES);
    if (length <= 0) return { lines: [], next: from };
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, from.offset);
    const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    // No newline in a whole read: not a journal line msf writes; skipped rather than waited for forever.
    if (end < 0) return { lines: [], next: { ...from, offset: from.offset + (bytesRead === READ_BYTES ? bytesRead : 0) } };
    const lines = buffer.subarray(0, end).toString("utf8").split("\n");
    return { lines, next: { offset: from.offset + end + 1, line: from.line + lines.length } };
  } finally {
    await file.close();
  }
}

/**
 * Every journal line written after the cursor (from the first run when there is none), run after
 * run, as it is written. Only the cursor's run and newer ones are read (older runs have finished),
 * and each only past what was already read.
 */
export async function* followJournals(runsDir: string, options: { from?: Cursor; signal: AbortSignal; intervalMs?: number }): AsyncGenerator<JournalLine> {
  const read = new Map<string, Position>();
  while (!options.signal.aborted) {
    for (const runId of await runIds(runsDir)) {
      if (options.from && runId < options.from.runId) continue;
      // The cursor's own run: its first `line` lines were seen by the client already.
      const skip = runId === options.from?.runId ? options.from.line : 0;
      for (let more = true; more && !options.signal.aborted; ) {
        const at = read.get(runId) ?? { offset: 0, line: 0 };
        const { lines, next } = await linesAfter(join(runsDir, runId, "journal.ndjson"), at);
        read.set(runId, next);
        for (const [index, text] of lines.entries()) if (at.line + index + 1 > skip) yield { runId, line: at.line + index + 1, text };
        more = next.offset > at.offset;
      }
    }
    await sleep(options.intervalMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
