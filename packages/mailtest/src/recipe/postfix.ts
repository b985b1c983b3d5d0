import { DATABASE, file, type ManagedFile, PATHS, type StackInputs } from "./inputs.ts";

const MAPS = {
  domains: "SELECT 1 FROM domains WHERE domain = '%s'",
  mailboxes: "SELECT 1 FROM mailboxes WHERE email = '%s' AND active",
  aliases: "SELECT destination FROM aliases WHERE source = '%s'",
  // Who may send as an address: its own mailbox, and the mailboxes an alias points to.
  senders: "SELECT email FROM mailboxes WHERE email = '%s' AND active UNION SELECT destination FROM aliases WHERE source = '%s'",
} as const;

export type PostfixMap = keyof typeof MAPS;

export function mapPath(map: PostfixMap): string {
  return `${PATHS.postfixMaps}/${map}.cf`;
}

/** The pgsql lookup tables (they hold the database password: root:postfix 0640). */
export function postfixMapFiles(inputs: StackInputs): ManagedFile[] {
  return Object.entries(MAPS).map(([map, query]) =>
    file(
      mapPath(map as PostfixMap),
      `# msf: generated\nhosts = 127.0.0.1\nuser = ${DATABASE.role}\npassword = ${inputs.dbPassword}\ndbname = ${DATABASE.name}\nquery = ${query}\n`,
      {
        mode: 0o640,
        group: "postfix",
        secret: true,
      },
    ),
  );
}

const TLS_PROTOCOLS = "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"; // the spelling every Postfix since 2.x accepts

/** main.cf settings, applied with `postconf -e` (only those that differ). */
export function postfixSettings(inputs: StackInputs): Record<string, string> {
  const { setup } = inputs;
  return {
    myhostname: setup.hostname,
    mydomain: setup.domain,
    myorigin: "$myhostname",
    mydestination: "localhost",
    inet_interfaces: "all",
    inet_protocols: "ipv4",
    mynetworks: "127.0.0.0/8",
    smtpd_banner: "$myhostname ESMTP",
    smtpd_helo_required: "yes",
    disable_vrfy_command: "yes",
    message_size_limit: String(inputs.messageSizeLimit),
    recipient_delimiter: "+",
    // TLS: offered on 25, required on 587, implicit on 465; never below TLS 1.2.
    smtpd_tls_cert_file: PATHS.tlsCert,
    smtpd_tls_key_file: PATHS.tlsKey,
    smtpd_tls_security_level: "may",
    smtpd_tls_auth_only: "yes",
    smtpd_tls_protocols: TLS_PROTOCOLS,
    smtpd_tls_mandatory_protocols: TLS_PROTOCOLS,
    smtpd_tls_loglevel: "1",
    smtp_tls_security_level: "may",
    // Mailboxes and aliases from PostgreSQL, delivered to Dovecot over LMTP.
    virtual_mailbox_domains: `pgsql:${mapPath("domains")}`,
    virtual_mailbox_maps: `pgsql:${mapPath("mailboxes")}`,
    virtual_alias_maps: `pgsql:${mapPath("aliases")}`,
    virtual_transport: "lmtp:unix:private/dovecot-lmtp",
    smtpd_sender_login_maps: `pgsql:${mapPath("senders")}`,
    // SASL through Dovecot, switched on only for submission (587, 465).
    smtpd_sasl_type: "dovecot",
    smtpd_sasl_path: "private/auth",
    smtpd_sasl_auth_enable: "no",
    smtpd_relay_restrictions: "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
    smtpd_recipient_restrictions: "reject_non_fqdn_recipient, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
    // Rspamd as milter: spam and viruses are rejected at DATA.
    smtpd_milters: "inet:127.0.0.1:11332",
    non_smtpd_milters: "$smtpd_milters",
    milter_protocol: "6",
    milter_default_action: "accept",
    milter_mail_macros: "i {mail_addr} {client_addr} {client_name} {auth_authen}",
  };
}

const SUBMISSION_OPTIONS = [
  "smtpd_sasl_auth_enable=yes",
  "smtpd_tls_auth_only=yes",
  "smtpd_client_restrictions=permit_sasl_authenticated,reject",
  "smtpd_sender_restrictions=reject_sender_login_mismatch",
  "smtpd_relay_restrictions=permit_sasl_authenticated,reject",
  "smtpd_recipient_restrictions=permit_sasl_authenticated,reject",
  "milter_macro_daemon_name=ORIGINATING",
];

const BEGIN = "# BEGIN msf (managed: rewritten on every deploy)";
const END = "# END msf";

/** Submission (587, STARTTLS required) and smtps (465, implicit TLS), as a marked block of master.cf. */
export function masterBlock(): string {
  const service = (name: string, syslog: string, extra: string[]) =>
    [
      `${name} inet n - y - - smtpd`,
      `  -o syslog_name=postfix/${syslog}`,
      ...extra.map((o) => `  -o ${o}`),
      ...SUBMISSION_OPTIONS.map((o) => `  -o ${o}`),
    ].join("\n");
  return [BEGIN, service("submission", "submission", ["smtpd_tls_security_level=encrypt"]), service("smtps", "smtps", ["smtpd_tls_wrappermode=yes"]), END].join(
    "\n",
  );
}

/** Pure: master.cf with msf's block put in (replacing an earlier one), the rest untouched. */
export function withMasterBlock(masterCf: string, block: string): string {
  const start = masterCf.indexOf(BEGIN);
  const end = masterCf.indexOf(END, start);
  const without = start >= 0 && end > start ? masterCf.slice(0, start) + masterCf.slice(end + END.length).replace(/^\n/, "") : masterCf;
  return `${without.trimEnd()}\n${block}\n`;
}

/** Pure: the `postconf -e` arguments for settings whose current value differs. */
export function postconfChanges(current: Record<string, string>, desired: Record<string, string>): string[] {
  return Object.entries(desired)
    .filter(([key, value]) => current[key] !== value)
    .map(([key, value]) => `${key}=${value}`);
}

/** Pure: `postconf -n` output to a map. */
export function parsePostconf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([a-z0-9_]+) = ?(.*)$/.exec(line);
    if (match) out[match[1] as string] = match[2] as string;
  }
  return out;
}
