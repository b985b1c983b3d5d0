import { PassThrough } from "node:stream";
import { type MsfRun, msfRunOf } from "@msf/test-utils";
import { main } from "../src/main.ts";

/**
 * Runs msf's command line inside the test's process: the same parsing, commands and output as the
 * `msf` binary, without starting Node again (about a second of CPU each). For commands whose
 * behaviour does not depend on being a process of their own; signals, exit and the binary's own
 * start-up are tested through `runMsf`.
 */
export async function runMsfInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<MsfRun> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString() };
  };
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env });
  return msfRunOf(args, code, stdout.text(), stderr.text());
}
