import { readFileSync } from "node:fs";
import { isMsfError, type LogSink } from "@msf/core";
import { activeProcesses, createContext } from "@msf/supervisor";
import { Command, CommanderError } from "commander";
import { COMMANDS, type CommandSpec } from "./commands.ts";
import { EXIT_CODES, EXIT_INTERNAL } from "./exit-codes.ts";
import { Reporter } from "./reporter.ts";

export interface MainIo {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
}

const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Runs the CLI once; resolves to the exit code. */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  let exitCode = 0;
  const program = new Command("msf")
    .description("proves a mail server stack installs and works on every Linux server distribution that matters")
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (io.stdout ?? process.stdout).write(text),
      writeErr: (text) => (io.stderr ?? process.stderr).write(text),
    });
  for (const spec of COMMANDS) {
    addCommand(
      program,
      spec,
      async (reporter, args, options) => {
        exitCode = await execute(spec, reporter, args, options, io);
      },
      io,
    );
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CODES.ERR_MSF_USAGE;
    throw error;
  }
  return exitCode;
}

type Action = (reporter: Reporter, args: unknown[], options: Record<string, unknown>) => Promise<void>;

function addCommand(program: Command, spec: CommandSpec, action: Action, io: MainIo): void {
  let parent = program;
  for (const word of spec.path.slice(0, -1)) {
    parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(`${word} commands`).exitOverride();
  }
  const command = parent
    .command(spec.path.at(-1) as string)
    .description(spec.summary)
    .exitOverride();
  for (const arg of spec.args ?? []) command.argument(arg);
  for (const option of spec.options ?? []) command.option(option.flags, option.description, option.default as string | boolean | undefined);
  command.option("--json", "one JSON object per line on stdout, the last one the result");
  if (spec.passThrough) {
    parent.enablePositionalOptions();
    command.passThroughOptions();
  }
  command.action(async (...received: unknown[]) => {
    const options = command.opts();
    const reporter = new Reporter({ json: Boolean(options.json), stdout: io.stdout, stderr: io.stderr });
    await action(reporter, received.slice(0, spec.args?.length ?? 0), options);
  });
}

async function execute(spec: CommandSpec, reporter: Reporter, args: unknown[], options: Record<string, unknown>, io: MainIo): Promise<number> {
  const env = io.env ?? process.env;
  // Diagnostics on stderr only when asked for (MSF_LOG_LEVEL=debug shows every command msf runs).
  const logSink = env.MSF_LOG_LEVEL ? stderrSink(io.stderr ?? process.stderr) : undefined;
  const ctx = createContext({ env, cwd: io.cwd, signal: io.signal, logSink });
  try {
    const module = await spec.load();
    return (await module.run({ reporter, ctx, args, options })) ?? 0;
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

function stderrSink(stream: NodeJS.WritableStream): LogSink {
  return ({ time, level, component, msg, ...fields }) => {
    const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : "";
    stream.write(`${time.slice(11, 23)} ${level.padEnd(5)} ${component}: ${msg}${extra}\n`);
  };
}
