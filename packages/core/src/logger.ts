import { appendFileSync } from "node:fs";

export const LogLevels = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LogLevels)[number];

export interface LogRecord {
  time: string;
  level: Exclude<LogLevel, "silent">;
  component: string;
  msg: string;
  [field: string]: unknown;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  readonly component: string;
  child(component: string): Logger;
  /** Values that must never appear in a log line (passwords, private keys). */
  addSecret(value: string): void;
  /** The value with every secret this logger knows (and every secret-named field) masked: for anything else that leaves the process. */
  redact<T>(value: T): T;
  enabled(level: LogLevel): boolean;
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  component?: string;
  /** Where records go; without one the logger drops everything (libraries never print). */
  sink?: LogSink;
  env?: NodeJS.ProcessEnv;
}

/** Field names whose values are secrets whatever they hold (`passed`, `tokens` of a parser... are not). */
const SECRET_KEY = /^pass$|password|passphrase|secret|private.?key|^token$|credential/i;

/** MSF_LOG_LEVEL_<COMPONENT> wins over MSF_LOG_LEVEL; `qemu.qmp` also reads MSF_LOG_LEVEL_QEMU. */
export function levelFor(component: string, env: NodeJS.ProcessEnv): LogLevel {
  const parts = component ? component.split(".") : [];
  for (let i = parts.length; i > 0; i--) {
    const key = `MSF_LOG_LEVEL_${parts
      .slice(0, i)
      .join("_")
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, "_")}`;
    const value = env[key];
    if (isLevel(value)) return value;
  }
  return isLevel(env.MSF_LOG_LEVEL) ? env.MSF_LOG_LEVEL : "info";
}

function isLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LogLevels as readonly string[]).includes(value);
}

export function redact(value: unknown, secrets: ReadonlySet<string>, key = ""): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined) return "[redacted]";
  if (typeof value === "string") {
    let out = value;
    for (const secret of secrets) if (secret) out = out.split(secret).join("[redacted]");
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets, k)]));
  }
  return value;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return makeLogger(options.component ?? "", options.sink, options.env ?? process.env, new Set());
}

function makeLogger(component: string, sink: LogSink | undefined, env: NodeJS.ProcessEnv, secrets: Set<string>): Logger {
  const threshold = LogLevels.indexOf(levelFor(component, env));
  const enabled = (level: LogLevel) => sink !== undefined && LogLevels.indexOf(level) >= threshold && level !== "silent";
  const write =
    (level: LogRecord["level"]) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (!enabled(level) || !sink) return;
      const clean = redact({ ...fields, msg }, secrets) as Record<string, unknown>;
      sink({ time: new Date().toISOString(), level, component: component || "msf", ...clean, msg: String(clean.msg) });
    };
  return {
    component,
    child: (name) => makeLogger(component ? `${component}.${name}` : name, sink, env, secrets),
    addSecret: (value) => void secrets.add(value),
    redact: <T>(value: T) => redact(value, secrets) as T,
    enabled,
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
  };
}

/** Appends one JSON line per record; used for per-run log files. */
export function fileSink(path: string): LogSink {
  return (record) => appendFileSync(path, `${JSON.stringify(record)}\n`);
}
