import type { InstallKind } from "../installers/render.ts";

/** What the installers print on the serial console that msf understands. */
interface ConsoleDialect {
  /** A line that means the installer is waiting for an answer the config did not give. */
  question: RegExp;
  /** Progress lines -> phase names, in the order they usually come. */
  phases: Array<[RegExp, string]>;
}

export const CONSOLE_DIALECTS: Record<InstallKind, ConsoleDialect> = {
  // debian-installer's text frontend (DEBIAN_FRONTEND=text), inside screen on the serial console.
  preseed: {
    question: /Prompt: '\?' for help/,
    phases: [
      [/^Detecting network hardware/, "network"],
      [/^Configuring the network/, "network"],
      [/^Checking the Debian archive mirror/, "mirror"],
      [/^(Loading additional components|Download installer components)/, "components"],
      [/^(Detecting disks|Partitioning|Starting up the partitioner)/, "partitioning"],
      [/^Installing the base system/, "base-system"],
      [/^(Configuring apt|Select and install software)/, "packages"],
      [/^Install(ing)? the GRUB boot loader/, "bootloader"],
      [/^Finishing the installation/, "finish"],
    ],
  },
  autoinstall: {
    question: /Continue with autoinstall\?|Please select|\[ Help \]/,
    phases: [
      [/subiquity.*(network|Network)/, "network"],
      [/curtin command (partitioning|block-meta)/, "partitioning"],
      [/curtin command (extract|install)/, "base-system"],
      [/(running 'curtin curthooks'|installing kernel)/, "packages"],
      [/(running late commands|Running late)/, "finish"],
    ],
  },
  kickstart: {
    question: /Please make a selection from the above|Please respond 'yes' or 'no'/,
    phases: [
      [/Starting installer/, "start"],
      [/Setting up the installation environment/, "setup"],
      [/(Creating disklabel|Creating .* on \/dev)/, "partitioning"],
      [/(Installing|Preparing) (software|transaction|packages)/i, "packages"],
      [/Installing boot ?loader/i, "bootloader"],
      [/Performing post-installation setup tasks/, "finish"],
    ],
  },
  autoyast: {
    question: /(Confirm Installation|\[Abort\].*\[Retry\]|Error: )/,
    phases: [
      [/(Probing|probing) (hardware|disks)/, "probing"],
      [/(Preparing disks|Partitioning)/, "partitioning"],
      [/Installing (packages|Packages)/, "packages"],
      [/(Installing boot manager|boot loader)/i, "bootloader"],
      [/(Finishing|Saving) (installation|settings)/i, "finish"],
    ],
  },
};

/**
 * Screen's window bar and clock, repainted every minute even by a stuck installer, often on the same
 * line as real output. Before 10:00 the hour is space-padded ("[ Nov 26  4:45 ]").
 */
const STATUS_BAR = /\[[^\]]*\(\d\*\w+\)[^\]]*\]\[ \w{3} +\d{1,2} +\d{1,2}:\d\d \]/g;

/** A console line without screen's status bar. */
export function consoleText(line: string): string {
  return line.replace(STATUS_BAR, "").trim();
}

export type ConsoleVerdict = { type: "phase"; phase: string; line: string } | { type: "question"; text: string; prompt: string } | undefined;

/** Reads installer console lines in order; says when a phase starts and when the installer asks a question. */
export class InstallerConsole {
  private readonly dialect: ConsoleDialect;
  private readonly recent: string[] = [];
  private phase: string | undefined;

  constructor(kind: InstallKind) {
    this.dialect = CONSOLE_DIALECTS[kind];
  }

  get currentPhase(): string | undefined {
    return this.phase;
  }

  /** One console line (or an unfinished one, such as a prompt waiting for input). */
  read(line: string, partial = false): ConsoleVerdict {
    const text = consoleText(line);
    if (!text) return undefined;
    if (this.dialect.question.test(text)) return { type: "question", text: this.questionText(), prompt: text };
    if (partial) return undefined;
    this.recent.push(text);
    if (this.recent.length > 12) this.recent.shift();
    const match = this.dialect.phases.find(([pattern]) => pattern.test(text));
    if (!match || match[1] === this.phase) return undefined;
    this.phase = match[1];
    return { type: "phase", phase: match[1], line: text };
  }

  /** The question: the lines after the last progress (percent) line, without underlines. */
  private questionText(): string {
    const lastProgress = this.recent.findLastIndex((line) => /\d+%/.test(line));
    return this.recent
      .slice(lastProgress + 1)
      .filter((line) => !/^-+$/.test(line))
      .join("\n");
  }
}
