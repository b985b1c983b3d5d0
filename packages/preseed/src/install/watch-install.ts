import { AbortedError, formatMs, MsfError } from "@msf/core";
import type { SerialTap } from "@msf/qemu";
import type { RunResult } from "@msf/supervisor";
import type { InstallKind } from "../installers/render.ts";
import { consoleText, InstallerConsole } from "./installer-console.ts";

export type InstallWatchEvent = { type: "install-phase"; phase: string; line: string; atMs: number };

export interface WatchInstallOptions {
  kind: InstallKind;
  tap: SerialTap;
  /** Settles when QEMU exits: the guest powering off is how an install ends. */
  exited: Promise<RunResult>;
  startedAt: number;
  /** No console progress for this long fails the install (a hung installer). */
  silenceMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (event: InstallWatchEvent) => void;
}

export interface InstallWatchResult {
  phases: Array<{ phase: string; atMs: number }>;
  durationMs: number;
}

/**
 * Watches an installer until the guest powers off. Fails fast, with the installer's own words,
 * when it asks a question (the config missed an answer) or goes silent; never waits past the timeout.
 */
export function watchInstall(options: WatchInstallOptions): Promise<InstallWatchResult> {
  const { tap } = options;
  const reader = new InstallerConsole(options.kind);
  const phases: InstallWatchResult["phases"] = [];
  const elapsed = () => Date.now() - options.startedAt;
  const lastLines = () => tap.lastLines(40).map(consoleText).filter(Boolean).slice(-15);
  return new Promise((resolve, reject) => {
    let silence: NodeJS.Timeout;
    const armSilence = () => {
      clearTimeout(silence);
      silence = setTimeout(
        () =>
          finish(
            new MsfError("ERR_MSF_INSTALL", `the installer printed nothing for ${formatMs(options.silenceMs)}${where()}`, {
              details: { lastLines: lastLines() },
            }),
          ),
        options.silenceMs,
      );
    };
    const where = () => `${reader.currentPhase ? ` (last phase: ${reader.currentPhase})` : ""}; last console lines:\n${indent(lastLines())}`;
    const deadline = setTimeout(
      () => finish(new MsfError("ERR_MSF_TIMEOUT", `the install did not finish within ${formatMs(options.timeoutMs)}${where()}`)),
      options.timeoutMs,
    );
    const onAbort = () => finish(new AbortedError("the install"));
    const onLine = (line: string, partial = false) => {
      if (!consoleText(line)) return;
      armSilence();
      const verdict = reader.read(line, partial);
      if (verdict?.type === "phase") {
        phases.push({ phase: verdict.phase, atMs: elapsed() });
        options.onEvent?.({ type: "install-phase", phase: verdict.phase, line: verdict.line, atMs: elapsed() });
      } else if (verdict?.type === "question") {
        finish(
          new MsfError(
            "ERR_MSF_INSTALL_QUESTION",
            `the installer asked a question the config does not answer:\n${indent([...verdict.text.split("\n"), verdict.prompt])}`,
            {
              hint: "add the answer to the install config (msf preseed render shows it); the whole console is in the serial log",
              details: { question: verdict.text, prompt: verdict.prompt, phase: reader.currentPhase, atMs: elapsed() },
            },
          ),
        );
      }
    };
    const onPartial = (line: string) => onLine(line, true);
    const finish = (error?: Error) => {
      clearTimeout(silence);
      clearTimeout(deadline);
      tap.off("line", onLine);
      tap.off("partial", onPartial);
      options.signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve({ phases, durationMs: elapsed() });
    };
    tap.on("line", onLine);
    tap.on("partial", onPartial);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    armSilence();
    for (const line of tap.lastLines(200)) onLine(line);
    options.exited.then((result) => {
      if (result.exitCode === 0 && !result.signal) finish();
      else {
        const message = `QEMU ended with ${result.signal ?? `exit code ${result.exitCode}`} before the install finished${where()}`;
        finish(new MsfError("ERR_MSF_INSTALL", message, { details: { exitCode: result.exitCode, signal: result.signal } }));
      }
    }, finish);
  });
}

const indent = (lines: string[]) => lines.map((line) => `  | ${line}`).join("\n");
