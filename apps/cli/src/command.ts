import type { MsfContext } from "@msf/supervisor";
import type { z } from "zod";
import type { Reporter } from "./reporters/reporter.ts";

export interface CommandEnv<I> {
  reporter: Reporter;
  ctx: MsfContext;
  /** The command's arguments and options, parsed and checked by its schema. */
  input: I;
  /** The working directory (msf.config.yaml is read from it). */
  cwd: string;
}

/** A command: the schema its input must fit (errors name the option), and what it does; resolves to the exit code. */
export interface CommandModule<S extends z.ZodType = z.ZodType> {
  schema: S;
  run(env: CommandEnv<z.output<S>>): Promise<number>;
}

export function command<S extends z.ZodType>(schema: S, run: (env: CommandEnv<z.output<S>>) => Promise<number>): CommandModule<S> {
  return { schema, run };
}

export interface OptionSpec {
  flags: string;
  description: string;
  default?: string | boolean;
}

export interface CommandSpec {
  path: string[];
  summary: string;
  /** Positional arguments as commander names them: `<distro>`, `[ids...]` (the input key is the bare name). */
  args?: string[];
  options?: OptionSpec[];
  /** Options after the positional arguments belong to them (`msf vm ssh debian-12 ls -l`). */
  passThrough?: boolean;
  load: () => Promise<CommandModule>;
}

/** Resolves when the command is interrupted (Ctrl-C, SIGTERM): the end of a long-running command (msf serve, msf worker). */
export function untilInterrupted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
}
