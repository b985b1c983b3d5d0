import { readFileSync } from "node:fs";
import { isMsfError, type LogSink, MsfError } from "@msf/core";
import { activeProcesses, createContext } from "@msf/supervisor";
import { Command, CommanderError } from "commander";
import type { z } from "zod";
import type { CommandSpec } from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { EXIT_CODES, EXIT_INTERNAL } from "./exit-codes.ts";
import { chooseReporter, REPORTERS, type Reporter } from "./reporters/index.ts";

export interface MainIo {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
}

const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Runs the CLI once; resolves to the exit code. Everything it prints goes to `io`. */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const streams = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, env: io.env ?? process.env };
  let exitCode = 0;
  const program = new Command("msf")
    .description("proves a mail server stack installs and works on every Linux server distribution that matters")
    .version(VERSION)
    .exitOverride()
    // Each command's options follow its own name (`msf runs --json` and `msf runs gc --json` are two commands).
    .enablePositionalOptions()
    .configureOutput({ writeOut: (text) => streams.stdout.write(text), writeErr: (text) => streams.stderr.write(text) });
  for (const spec of COMMANDS) {
    const command = addCommand(program, spec);
    command.action(async (...received: unknown[]) => {
      // With positional options, commander keeps the `--` that ends msf's options in a pass-through
      // command's words (`msf vm ssh debian-12 -- systemctl ...`): it is msf's, not the command's.
      const words = spec.passThrough ? received[(spec.args?.length ?? 1) - 1] : undefined;
      if (Array.isArray(words) && words[0] === "--") words.shift();
      exitCode = await execute(spec, received, command.opts(), streams, io);
    });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CODES.ERR_MSF_USAGE;
    throw error;
  }
  return exitCode;
}

function addCommand(program: Command, spec: CommandSpec): Command {
  let parent = program;
  for (const word of spec.path.slice(0, -1)) {
    parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(`${word} commands`).exitOverride();
    parent.enablePositionalOptions();
  }
  const command = parent
    .command(spec.path.at(-1) as string)
    .description(spec.summary)
    .exitOverride();
  for (const arg of spec.args ?? []) command.argument(arg);
  for (const option of spec.options ?? []) command.option(option.flags, option.description, option.default);
  command.option("--reporter <name>", `output: ${REPORTERS.join(", ")} (default: pretty on a terminal, plain otherwise)`);
  command.option("--json", "one JSON object per line on stdout, the last one the result (same as --reporter ndjson)");
  if (spec.passThrough) command.passThroughOptions();
  return command;
}

async function execute(spec: CommandSpec, received: unknown[], options: Record<string, unknown>, streams: Parameters<typeof chooseReporter>[1], io: MainIo) {
  let reporter: Reporter = chooseReporter({}, streams);
  try {
    reporter = chooseReporter(options, streams);
  } catch (error) {
    reporter.error(error);
    return EXIT_CODES.ERR_MSF_USAGE;
  }
  // Diagnostics on stderr only when asked for (MSF_LOG_LEVEL=debug shows every command msf runs).
  const logSink = streams.env.MSF_LOG_LEVEL ? stderrSink(streams.stderr) : undefined;
  const ctx = createContext({ env: streams.env, cwd: io.cwd, signal: io.signal, logSink });
  try {
    const module = await spec.load();
    const input = parseInput(module.schema, spec, received, options);
    return await module.run({ reporter, ctx, input, cwd: io.cwd ?? process.cwd() });
  } catch (error) {
    reporter.error(error);
    return isMsfError(error) ? EXIT_CODES[error.code] : EXIT_INTERNAL;
  } finally {
    // Nothing this command started outlives it (detached VMs are not in this set).
    await Promise.all(
      [...activeProcesses()].map((child) => {
        child.kill("abort");
        return child.result;
      }),
    );
  }
}

/** The arguments (by name) and options, checked by the command's schema; a problem names the option or argument. */
function parseInput(schema: z.ZodType, spec: CommandSpec, received: unknown[], options: Record<string, unknown>): unknown {
  // <run-id> is input.runId, as --dry-run is input.dryRun.
  const names = (spec.args ?? []).map((arg) => arg.replace(/[<>[\].]/g, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
  const { json: _json, reporter: _reporter, ...own } = options;
  const raw = { ...own, ...Object.fromEntries(names.map((name, index) => [name, received[index]])) };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const dashed = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const where = names.includes(key) ? `<${dashed}>` : `--${dashed}`;
    return `${where}: ${issue.message}`;
  });
  throw new MsfError("ERR_MSF_USAGE", problems.join("; "), { hint: `msf ${spec.path.join(" ")} --help` });
}

function stderrSink(stream: NodeJS.WritableStream): LogSink {
  return ({ time, level, component, msg, ...fields }) => {
    const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : "";
    stream.write(`${time.slice(11, 23)} ${level.padEnd(5)} ${component}: ${msg}${extra}\n`);
  };
}
