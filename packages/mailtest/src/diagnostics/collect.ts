import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type SshSession, shellQuote } from "@msf/ssh";
import { FAMILIES, type PackageFamily } from "../recipe/families.ts";

/** Pure: what to collect from a server of this family, one file each. */
export function diagnosticCommands(family: PackageFamily): Array<{ file: string; argv: string[] }> {
  const units = Object.values(FAMILIES[family].services);
  return [
    ...units.flatMap((unit) => [
      { file: `status-${unit}.txt`, argv: ["systemctl", "status", "--no-pager", "--lines=0", unit] },
      { file: `journal-${unit}.txt`, argv: ["journalctl", "--no-pager", "-n", "150", "-u", unit] },
    ]),
    { file: "mail-log.txt", argv: ["journalctl", "--no-pager", "-n", "400", "SYSLOG_FACILITY=2"] },
    { file: "listening.txt", argv: ["ss", "-ltnp"] },
    { file: "postconf-n.txt", argv: ["postconf", "-n"] },
    { file: "postqueue.txt", argv: ["postqueue", "-p"] },
    { file: "doveconf-n.txt", argv: ["doveconf", "-n"] },
    { file: "rspamd-stat.txt", argv: ["rspamc", "-h", "127.0.0.1:11334", "stat"] },
    { file: "failed-units.txt", argv: ["systemctl", "--failed", "--no-pager"] },
  ];
}

/** Runs the diagnostic commands over SSH, four at a time, and saves their output (secrets masked) under `dir`. */
export async function collectDiagnostics(session: SshSession, family: PackageFamily, dir: string, secrets: readonly string[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const queue = diagnosticCommands(family);
  const collectOne = async ({ file, argv }: (typeof queue)[number]) => {
    const result = await session.exec(argv, { timeoutMs: 60_000 }).catch((error: Error) => ({ stdout: "", stderr: error.message, exitCode: null }));
    let text = `$ ${shellQuote(argv)}  (exit ${result.exitCode})\n${result.stdout}${result.stderr}`;
    for (const secret of secrets) if (secret) text = text.split(secret).join("***");
    await writeFile(join(dir, file), text);
  };
  const commands = [...queue];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = commands.shift(); next; next = commands.shift()) await collectOne(next);
    }),
  );
  return queue.map((command) => command.file);
}
