import { createHash } from "node:crypto";
import { describeExec, type ShellScript, type SshExecResult, type SshSession } from "@msf/ssh";
import type { ManagedFile } from "../recipe/inputs.ts";
import { DeployStepError } from "./errors.ts";
import { FILE_STATES } from "./scripts.ts";
import { tarArchive, UNPACK_OVER_ROOT } from "./tar.ts";

export interface RunOptions {
  timeoutMs?: number;
  /** Sent on stdin (how secrets reach the guest: never on a command line). */
  input?: string | Uint8Array;
  /** Return a failing result instead of throwing. */
  allowFail?: boolean;
}

/** Commands and files in the guest, each failure a DeployStepError that names the step. */
export class Remote {
  readonly session: SshSession;
  private readonly signal: AbortSignal | undefined;
  private readonly timeoutScale: number;
  private readonly onCommand: ((step: string, command: string, result: SshExecResult) => void) | undefined;

  constructor(
    session: SshSession,
    options: { signal?: AbortSignal; timeoutScale?: number; onCommand?: (step: string, command: string, result: SshExecResult) => void } = {},
  ) {
    this.session = session;
    this.signal = options.signal;
    this.timeoutScale = options.timeoutScale ?? 1;
    this.onCommand = options.onCommand;
  }

  /** argv (quoted for the remote shell) or a script made with `sh`; its timeout is multiplied by the scale. */
  async run(step: string, command: readonly string[] | ShellScript, options: RunOptions = {}): Promise<SshExecResult> {
    const result = await this.session.exec(command, {
      timeoutMs: (options.timeoutMs ?? 120_000) * this.timeoutScale,
      input: options.input,
      signal: this.signal,
    });
    this.onCommand?.(step, result.command, result);
    if (!options.allowFail && (result.exitCode !== 0 || result.timedOut)) {
      throw new DeployStepError(step, describeExec({ ...result, command: result.command.slice(0, 200) }), `${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  async readFile(step: string, path: string): Promise<string | undefined> {
    const result = await this.run(step, ["cat", path], { allowFail: true });
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** Writes the files whose content, mode or owner differ (one tar over stdin); returns their paths. */
  async sync(step: string, files: readonly ManagedFile[]): Promise<string[]> {
    if (files.length === 0) return [];
    const state = await this.run(step, ["sh", "-c", FILE_STATES, "sh", ...files.map((f) => f.path)]);
    const current = parseFileStates(state.stdout);
    const changed = files.filter((f) => current.get(f.path) !== fileState(f));
    if (changed.length) await this.run(step, [...UNPACK_OVER_ROOT], { input: tarArchive(changed) });
    return changed.map((f) => f.path);
  }
}

/** `mode:owner:group sha256` as the guest reports it. */
export function fileState(file: ManagedFile): string {
  return `${file.mode.toString(8)}:${file.owner}:${file.group} ${createHash("sha256").update(file.content).digest("hex")}`;
}

export function parseFileStates(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^(\S+) (\S+) {2}(.+)$/.exec(line);
    if (match && match[1] !== "missing") states.set(match[3] as string, `${match[1]} ${match[2]}`);
  }
  return states;
}
