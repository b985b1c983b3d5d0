import { type ChildProcess, spawn } from "node:child_process";

/**
 * Starts a TypeScript script in a separate Node process that resolves @msf/* to their sources,
 * and resolves once it prints `line` on stdout (so a test can SIGKILL it at a known point).
 */
export function startNodeScript(script: string, args: string[], waitFor: string, timeoutMs = 20_000, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=msf-source", script, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not print ${waitFor} within ${timeoutMs} ms: ${out}${err}`));
    }, timeoutMs);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(waitFor)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before printing ${waitFor}: ${out}${err}`));
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
