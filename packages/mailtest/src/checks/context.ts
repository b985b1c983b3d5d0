import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { openTunnel, type SshExecResult, type Tunnel } from "@msf/ssh";
import { CheckFailure, type MailAccount, type MailService, type MailTarget } from "./types.ts";
import { LineClient, type TlsOptions } from "./wire/line-client.ts";
import { saslPlain } from "./wire/protocols.ts";

/** Loopback services inside the server the checks reach through SSH. */
export const INTERNAL_PORTS = { clamd: 3310, rspamd: 11333, redis: 6379, postgresql: 5432 } as const;

/** What a check works with: the target, its own evidence log, clients, tunnels and a waiting clock. */
export class CheckContext {
  readonly target: MailTarget;
  readonly evidence: string[] = [];
  readonly token = randomBytes(6).toString("hex");
  waitedMs = 0;
  /** Every wait and timeout is multiplied by this (a server under CPU emulation is slower). */
  private readonly timeoutScale: number;
  private readonly tunnels: Map<number, Promise<Tunnel>>;
  private readonly secrets: string[];
  /** Every connection the check opened: all closed when it ends, however it ends (a timed-out check leaves no socket). */
  private readonly clients = new Set<LineClient>();

  constructor(target: MailTarget, tunnels: Map<number, Promise<Tunnel>>, timeoutScale = 1) {
    this.target = target;
    this.tunnels = tunnels;
    this.timeoutScale = timeoutScale;
    this.secrets = target.accounts.flatMap((a) => [a.password, saslPlain(a.address, a.password), Buffer.from(a.password).toString("base64")]);
  }

  note(line: string): void {
    this.evidence.push(this.mask(line));
  }

  /** Adds a client's transcript to the evidence, credentials masked. */
  record(client: LineClient): void {
    for (const line of client.transcript) this.note(line);
    client.transcript.length = 0;
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret) out = out.split(secret).join("***");
    return out;
  }

  tls(overrides: Partial<TlsOptions> = {}): TlsOptions {
    return { servername: this.target.hostname, ca: this.target.caPem, ...overrides };
  }

  /** A wait or timeout as this server needs it (the checks name their times for an accelerated one). */
  scaled(ms: number): number {
    return ms * this.timeoutScale;
  }

  /** A connection to a mail service; implicit TLS for 465, 993, 995. */
  async connect(service: MailService, timeoutMs = 30_000): Promise<LineClient> {
    const implicit = service === "smtps" || service === "imaps" || service === "pop3s";
    const client = await LineClient.connect(this.target.endpoints[service], { tls: implicit ? this.tls() : undefined, timeoutMs: this.scaled(timeoutMs) });
    this.clients.add(client);
    return client;
  }

  /** Ends every connection the check opened (called when the check ends). */
  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }

  /** Sender and recipient mailboxes for mail flow checks (the same one if there is only one). */
  mailboxes(): { sender: MailAccount; recipient: MailAccount } {
    const users = this.target.accounts.filter((a) => a.role === "email");
    const pool = users.length ? users : this.target.accounts;
    const sender = pool[0] as MailAccount;
    return { sender, recipient: pool[1] ?? sender };
  }

  /** A private unix socket that reaches a loopback service of the server through SSH. */
  async tunnel(port: number): Promise<string> {
    const ssh = this.target.ssh;
    if (!ssh) throw new Error("no SSH access to the server");
    let tunnel = this.tunnels.get(port);
    if (!tunnel) {
      tunnel = openTunnel(ssh, "127.0.0.1", port);
      this.tunnels.set(port, tunnel);
    }
    return (await tunnel).path;
  }

  /** A command on the server (argv), its output in the evidence. */
  async remote(argv: readonly string[], timeoutMs = 60_000): Promise<SshExecResult> {
    const ssh = this.target.ssh;
    if (!ssh) throw new Error("no SSH access to the server");
    const result = await ssh.exec(argv, { timeoutMs: this.scaled(timeoutMs) });
    this.note(`$ ${result.command}  (exit ${result.exitCode})`);
    for (const line of `${result.stdout}${result.stderr}`.trimEnd().split("\n").slice(0, 40)) if (line) this.note(`  ${line}`);
    return result;
  }

  /** Retries `attempt` until it returns a value, throws a CheckFailure, or the deadline passes; the time counts as waiting. */
  async waitFor<T>(what: string, unscaledMs: number, attempt: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
    const timeoutMs = this.scaled(unscaledMs);
    const started = Date.now();
    let last = "nothing yet";
    try {
      for (;;) {
        try {
          const value = await attempt();
          if (value !== undefined) return value;
        } catch (error) {
          if (error instanceof CheckFailure) throw error; // a verdict, not a reason to wait longer
          last = (error as Error).message;
        }
        if (Date.now() - started >= timeoutMs) throw new CheckFailure(`${what} within ${Math.round(timeoutMs / 1000)} s`, last);
        await sleep(intervalMs);
      }
    } finally {
      this.waitedMs += Date.now() - started;
    }
  }
}
