import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MSF_BIN = fileURLToPath(new URL("../../../apps/cli/bin/msf.js", import.meta.url));

export interface MsfRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (for --json runs). */
  lines: Array<Record<string, unknown>>;
  /** The last JSON line: the result (or the error). */
  last: Record<string, unknown> | undefined;
}

/** Runs the real `msf` command as a separate process, the way a user does. */
export function runMsf(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<MsfRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MSF_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`msf ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      const lines = args.includes("--json")
        ? stdout
            .split("\n")
            .filter((line) => line.trim())
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [];
      resolve({ code, stdout, stderr, lines, last: lines.at(-1) });
    });
  });
}
