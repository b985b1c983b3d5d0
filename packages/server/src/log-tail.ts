import { open } from "node:fs/promises";
import { jsonObject } from "./json-line.ts";

/** At most this much of the end of a log is read, however long the log has grown. */
const TAIL_BYTES = 64 * 1024;

/** Pure: msf.log's JSON records as short lines (`time level component message`); other lines as they are. */
export function logLines(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const record = jsonObject(line) as { time?: string; level?: string; component?: string; msg?: string } | undefined;
      return record ? [record.time?.slice(11, 19), record.level, record.component, record.msg].filter(Boolean).join(" ") : line;
    });
}

/** The whole lines in the last `bytes` of a file (one bounded read, however long it has grown); "" when it does not exist yet. */
export async function readTail(path: string, bytes: number): Promise<string> {
  const file = await open(path, "r").catch(() => undefined);
  if (!file) return "";
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    // A read that starts mid-file drops its first, partial line.
    const text = buffer.toString("utf8");
    return start > 0 ? text.slice(text.indexOf("\n") + 1) : text;
  } finally {
    await file.close();
  }
}

/** The last `count` lines of a log file, a line per record. */
export async function tailLog(path: string, count: number): Promise<string[]> {
  return logLines(await readTail(path, TAIL_BYTES)).slice(-count);
}
