import { FAMILIES } from "./families.ts";
import { file, type ManagedFile, type StackInputs } from "./inputs.ts";

/** The EICAR test file: what every anti-virus engine detects as a test virus. */
export const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/**
 * Pure: an EICAR file of its own for a hex token: the token's bits as trailing spaces and tabs (the
 * EICAR standard allows white space after the 68 characters, up to 128 bytes). Rspamd caches verdicts
 * by content, so a copy seen before would be rejected from the cache even with clamd down.
 */
export function uniqueEicar(hexToken: string): string {
  const bits = [...hexToken.slice(0, 15)].map((digit) => Number.parseInt(digit, 16).toString(2).padStart(4, "0")).join("");
  return `${EICAR}${[...bits].map((bit) => (bit === "1" ? "\t" : " ")).join("")}`;
}

/**
 * A one-line ClamAV body signature that matches EICAR: signatures cannot be downloaded here, and
 * clamd refuses to start without any. (NDB format: name, any file type, any offset, hex.)
 */
export function eicarSignature(): string {
  return `Msf.Test.EICAR:0:*:${Buffer.from(EICAR, "latin1").toString("hex")}\n`;
}

export function clamavFiles(inputs: StackInputs): ManagedFile[] {
  const layout = FAMILIES[inputs.family].clamd;
  const config = `# msf: generated on every deploy
LocalSocket ${layout.socket}
LocalSocketGroup ${layout.user}
LocalSocketMode 666
FixStaleSocket true
TCPSocket 3310
TCPAddr 127.0.0.1
User ${layout.user}
DatabaseDirectory ${layout.database}
LogSyslog true
LogTime true
Foreground false
ScanMail true
ScanArchive true
MaxThreads 4
ReadTimeout 120
StreamMaxLength 25M
SelfCheck 3600
`;
  return [file(layout.config, config), file(`${layout.database}/msf-eicar.ndb`, eicarSignature(), { owner: layout.user, group: layout.user })];
}
