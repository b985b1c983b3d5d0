/** Stable codes a user can meet; the CLI maps them to exit codes. */
export const ErrorCodes = [
  "ERR_MSF_USAGE",
  "ERR_MSF_CONFIG",
  "ERR_MSF_HOST_TOOL_MISSING",
  "ERR_MSF_TIMEOUT",
  "ERR_MSF_ABORTED",
  "ERR_MSF_PROCESS_FAILED",
  "ERR_MSF_LOCKED",
  "ERR_MSF_NOT_FOUND",
  "ERR_MSF_QMP",
  "ERR_MSF_SSH",
  "ERR_MSF_VM_BOOT",
  "ERR_MSF_IMAGE_BUILD",
  "ERR_MSF_IMAGE_CORRUPT",
  "ERR_MSF_CHECKSUM_MISMATCH",
  "ERR_MSF_SIGNATURE",
  "ERR_MSF_UNSAFE_ARCHIVE",
  "ERR_MSF_ARCHIVE_STALE",
  "ERR_MSF_DOWNLOAD",
  "ERR_MSF_DISK_FULL",
  "ERR_MSF_USER_MEDIA",
  "ERR_MSF_DEPLOY",
  "ERR_MSF_CHECKS_FAILED",
  "ERR_MSF_INSTALL_QUESTION",
  "ERR_MSF_INSTALL",
  "ERR_MSF_ALERT_DELIVERY",
  "ERR_MSF_QUEUE",
  "ERR_MSF_NO_WORKER",
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export interface MsfErrorOptions {
  /** The next step for the user. */
  hint?: string;
  cause?: unknown;
  /** Plain data for --json output and diagnostics (never secrets). */
  details?: Record<string, unknown>;
}

/** An error a user can meet: stable code, a message that says what happened, a hint that says what to do. */
export class MsfError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: MsfErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "MsfError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  toJSON() {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isMsfError(error: unknown): error is MsfError {
  return error instanceof MsfError;
}

/** A wait or a process that ran past its deadline. */
export class TimeoutError extends MsfError {
  constructor(what: string, timeoutMs: number, options: MsfErrorOptions = {}) {
    super("ERR_MSF_TIMEOUT", `${what} did not finish within ${formatMs(timeoutMs)}`, options);
    this.name = "TimeoutError";
  }
}

/** Work stopped because its AbortSignal fired. */
export class AbortedError extends MsfError {
  constructor(what: string, options: MsfErrorOptions = {}) {
    super("ERR_MSF_ABORTED", `${what} was cancelled`, options);
    this.name = "AbortedError";
  }
}

/** "4h", "90m", "30s", "1500ms" or plain milliseconds to ms; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "ms") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * factor);
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
