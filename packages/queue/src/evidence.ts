import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { create, extract } from "tar";

/** The most evidence one step may send back (serial logs, transcripts, diagnostics; compressed). */
export const MAX_EVIDENCE_BYTES = 64 * 1_048_576;

/** A distribution's evidence directory on the worker, as gzipped tar in base64 (empty when there is none). */
export async function packEvidence(dir: string): Promise<string> {
  if (!existsSync(dir)) return "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of create({ gzip: true, cwd: dir, portable: true }, ["."]) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_EVIDENCE_BYTES) throw new MsfError("ERR_MSF_QUEUE", `the evidence in ${dir} is over ${MAX_EVIDENCE_BYTES / 1_048_576} MiB compressed`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("base64");
}

/**
 * Lays a worker's evidence over the coordinator's copy of the distribution's directory. Only plain
 * files and directories are taken, never outside `dir` (tar refuses `..` and absolute paths).
 */
export async function unpackEvidence(packed: string, dir: string): Promise<void> {
  if (!packed) return;
  const bytes = Buffer.from(packed, "base64");
  if (bytes.length > MAX_EVIDENCE_BYTES) throw new MsfError("ERR_MSF_QUEUE", `a worker sent ${bytes.length} bytes of evidence, over the limit`);
  const temp = await mkdtemp(join(tmpdir(), "msf-evidence-"));
  try {
    const file = join(temp, "evidence.tgz");
    await writeFile(file, bytes);
    mkdirSync(dir, { recursive: true });
    await extract({ file, cwd: dir, strict: true, filter: (_path, entry) => "type" in entry && (entry.type === "File" || entry.type === "Directory") });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
