import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { AbortedError, MsfError } from "@msf/core";

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for the holder; 0 fails at once. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * An exclusive lock on a file of our own (0600, opened without following links): flock(2) on an
 * open file description that only this process holds. The kernel frees it when that description
 * closes: on release, or however the holder dies, so no lock goes stale. Another user cannot open
 * the file, so cannot take the lock. Node has no flock of its own: util-linux's `flock` locks the
 * description it shares with us (fd 3) and exits; the lock stays with our descriptor. Waiting is the
 * kernel's (no polling): it hands the lock over the moment it is released.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<Lock> {
  if (options.signal?.aborted) throw new AbortedError(`waiting for the lock ${path}`);
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600).catch((error: NodeJS.ErrnoException) => {
    throw new MsfError("ERR_MSF_LOCKED", `cannot open the lock file ${path}: ${error.code === "ELOOP" ? "it is a symbolic link" : error.message}`, {
      hint: "remove it (msf makes its lock files itself, 0600)",
    });
  });
  try {
    await requireOwnFile(handle, path);
    const outcome = await flock(handle, options.timeoutMs ?? 30_000, options.signal);
    if (outcome === "aborted") throw new AbortedError(`waiting for the lock ${path}`);
    if (outcome === "busy") {
      throw new MsfError("ERR_MSF_LOCKED", `${path} is locked by another msf process`, {
        hint: "wait for the other msf command to finish, or end it (msf ps, msf kill)",
      });
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  return { path, release: () => handle.close() };
}

/** A lock file someone else made (or opened to others) could be held by them: refused, with the fix. */
async function requireOwnFile(handle: FileHandle, path: string): Promise<void> {
  const stats = await handle.stat();
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new MsfError("ERR_MSF_LOCKED", `the lock file ${path} belongs to user ${stats.uid}, not to this user (${uid})`, {
      hint: `another user made it to block msf: remove it (rm ${path})`,
    });
  }
  if (stats.mode & 0o077) await handle.chmod(0o600); // ours, from an older msf: closed to others from now on
}

/** Takes the flock through a short-lived child sharing the descriptor; resolves once it is ours, or says why not. */
function flock(handle: FileHandle, timeoutMs: number, signal?: AbortSignal): Promise<"locked" | "busy" | "aborted"> {
  const wait = timeoutMs <= 0 ? ["-n"] : ["-w", (timeoutMs / 1000).toFixed(3)];
  return new Promise((resolve, reject) => {
    const child = spawn("flock", ["-x", ...wait, "3"], { stdio: ["ignore", "ignore", "pipe", handle.fd] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const onAbort = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", onAbort, { once: true });
    // Our own deadline too: flock cannot hang past it even if its clock is late.
    const backstop = setTimeout(onAbort, Math.max(0, timeoutMs) + 5_000);
    child.once("error", (error) => {
      clearTimeout(backstop);
      signal?.removeEventListener("abort", onAbort);
      reject(new MsfError("ERR_MSF_HOST_TOOL_MISSING", `cannot run flock: ${error.message}`, { hint: "apt-get install -y util-linux" }));
    });
    child.once("exit", (code) => {
      clearTimeout(backstop);
      signal?.removeEventListener("abort", onAbort);
      if (code === 0) resolve("locked");
      else if (signal?.aborted) resolve("aborted");
      else if (code === 1 || code === null) resolve("busy");
      else reject(new Error(`flock exited with ${code}: ${stderr.trim()}`));
    });
  });
}
