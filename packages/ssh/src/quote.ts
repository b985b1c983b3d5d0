/** The one way msf turns argv into a remote shell command line: every word single-quoted. */
export function shellQuote(args: readonly string[]): string {
  return args.map(quoteWord).join(" ");
}

function quoteWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const SCRIPT = Symbol("msf.shell-script");

/** Shell text msf wrote, every value in it quoted: the only form a script reaches a remote shell in. */
export interface ShellScript {
  readonly [SCRIPT]: true;
  readonly text: string;
}

type ScriptValue = string | number | readonly (string | number)[] | ShellScript;

function isScript(value: unknown): value is ShellScript {
  return typeof value === "object" && value !== null && SCRIPT in value;
}

/**
 * A shell script as a tagged template: `sh\`systemctl restart ${unit}\``. Every interpolated value is
 * quoted as one word (an array as several words); a nested script goes in as written. So a value
 * can never become shell code, whatever it holds.
 */
export function sh(strings: TemplateStringsArray, ...values: ScriptValue[]): ShellScript {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    const inserted = isScript(value) ? value.text : Array.isArray(value) ? shellQuote(value.map(String)) : quoteWord(String(value));
    text += inserted + (strings[index + 1] ?? "");
  });
  return { [SCRIPT]: true, text };
}

/** A command line the user typed (`msf vm ssh <vm> <command>`): theirs, run as written. */
export function userCommandLine(line: string): ShellScript {
  return { [SCRIPT]: true, text: line };
}

/** Pure: what a remote shell runs for a command given as argv or as a script. */
export function commandText(command: readonly string[] | ShellScript): string {
  return isScript(command) ? command.text : shellQuote(command);
}

/** Pure: the argv that runs a command: itself, or `sh -c <script>`. */
export function commandArgv(command: readonly string[] | ShellScript): readonly string[] {
  return isScript(command) ? ["sh", "-c", command.text] : command;
}
