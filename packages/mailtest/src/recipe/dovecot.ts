import { DATABASE, file, type ManagedFile, PATHS, type StackInputs, VMAIL } from "./inputs.ts";

/**
 * What both versions share: the sockets Postfix reaches, the listeners, the INBOX, and login
 * processes that serve up to 100 connections each (Dovecot's default starts one per connection: an
 * exec, a config load and a TLS set-up, most of a second each for an emulated guest).
 * `restartCount` is the setting's name, which Dovecot 2.4 renamed.
 */
const sharedConfig = (restartCount: "service_count" | "restart_request_count") => `service lmtp {
  unix_listener /var/spool/postfix/private/dovecot-lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service imap-login {
  ${restartCount} = 100
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service pop3-login {
  ${restartCount} = 100
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
namespace inbox {
  inbox = yes
  separator = /
}
`;

const HEADER = "# msf: generated on every deploy; edit the recipe, not this file\n";
/** The admin's own settings, last so they win: Debian's convention, and where an overlay puts them (never written by msf). */
const LOCAL = "!include_try /etc/dovecot/local.conf\n";
const MAILBOX = "SELECT email AS \"user\", password FROM mailboxes WHERE email = '%USER%' AND active";

/** Dovecot's whole configuration: IMAP, POP3, LMTP for Postfix, SASL for Postfix, users from PostgreSQL. */
export function dovecotFiles(inputs: StackInputs): ManagedFile[] {
  return inputs.dovecot === "2.4" ? dovecot24(inputs) : dovecot23(inputs);
}

function dovecot23(inputs: StackInputs): ManagedFile[] {
  const postmaster = postmasterOf(inputs);
  const main = `${HEADER}protocols = imap pop3 lmtp
listen = *
log_path = syslog
mail_location = maildir:~/Maildir
mail_privileged_group = mail
first_valid_uid = ${VMAIL.uid}
ssl = required
ssl_cert = <${PATHS.tlsCert}
ssl_key = <${PATHS.tlsKey}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = sql
  args = /etc/dovecot/dovecot-sql.conf.ext
}
userdb {
  driver = sql
  args = /etc/dovecot/dovecot-sql.conf.ext
}
protocol lmtp {
  postmaster_address = ${postmaster}
}
${sharedConfig("service_count")}${LOCAL}`;
  const sql = `${HEADER}driver = pgsql
connect = host=127.0.0.1 dbname=${DATABASE.name} user=${DATABASE.role} password=${inputs.dbPassword}
default_pass_scheme = SHA512-CRYPT
password_query = ${MAILBOX.replace("%USER%", "%u")}
user_query = SELECT ${VMAIL.uid} AS uid, ${VMAIL.gid} AS gid, '${PATHS.mailRoot}/%d/%n' AS home FROM mailboxes WHERE email = '%u' AND active
iterate_query = SELECT email AS "user" FROM mailboxes WHERE active
`;
  return [
    file("/etc/dovecot/dovecot.conf", main, { mode: 0o644 }),
    file("/etc/dovecot/dovecot-sql.conf.ext", sql, { mode: 0o640, group: "dovecot", secret: true }),
  ];
}

function dovecot24(inputs: StackInputs): ManagedFile[] {
  const postmaster = postmasterOf(inputs);
  const main = `${HEADER}dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols = imap pop3 lmtp
listen = *
log_path = syslog
mail_driver = maildir
mail_home = ${PATHS.mailRoot}/%{user | domain}/%{user | username}
mail_path = ~/Maildir
mail_privileged_group = mail
first_valid_uid = ${VMAIL.uid}
ssl = required
ssl_server_cert_file = ${PATHS.tlsCert}
ssl_server_key_file = ${PATHS.tlsKey}
ssl_min_protocol = TLSv1.2
auth_allow_cleartext = no
auth_mechanisms = plain login
postmaster_address = ${postmaster}
!include_try /etc/dovecot/msf-sql.conf
passdb sql {
  default_password_scheme = SHA512-CRYPT
  query = ${MAILBOX.replace("%USER%", "%{user}")}
}
userdb sql {
  query = SELECT ${VMAIL.uid} AS uid, ${VMAIL.gid} AS gid FROM mailboxes WHERE email = '%{user}' AND active
  iterate_query = SELECT email AS "user" FROM mailboxes WHERE active
}
${sharedConfig("restart_request_count")}${LOCAL}`;
  const sql = `${HEADER}sql_driver = pgsql
pgsql 127.0.0.1 {
  parameters {
    dbname = ${DATABASE.name}
    user = ${DATABASE.role}
    password = ${inputs.dbPassword}
  }
}
`;
  return [file("/etc/dovecot/dovecot.conf", main, { mode: 0o644 }), file("/etc/dovecot/msf-sql.conf", sql, { mode: 0o640, group: "dovecot", secret: true })];
}

function postmasterOf(inputs: StackInputs): string {
  return inputs.setup.accounts.find((a) => a.role === "postmaster")?.address ?? `postmaster@${inputs.setup.domain}`;
}
