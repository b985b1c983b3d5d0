/** The one way msf turns argv into a remote shell command line: every word single-quoted. */
export function shellQuote(args: readonly string[]): string {
  return args.map(quoteWord).join(" ");
}

function quoteWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
