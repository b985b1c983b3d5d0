import { type ShellScript, sh } from "@msf/ssh";
import { DATABASE } from "../recipe/inputs.ts";

// What the RHEL family, Fedora and openSUSE need beyond Debian's defaults, from each distribution's
// documentation. None of it can be proven in a VM here (no media of theirs is reachable): golden
// tests hold the rendered scripts, `sh -n` parses them, and the README says "not proven in a VM".
// Each script reads /etc/os-release itself, so it is right on a real server (--target) too.

/**
 * The repositories the stack needs: on RHEL, AlmaLinux and Rocky Linux, EPEL (ClamAV, and Rspamd's
 * dependencies; CodeReady Builder or CRB enabled for EPEL's own) and Rspamd's repository with its
 * signing key (Rspamd is in neither the distribution nor EPEL). Fedora ships ClamAV but no Rspamd,
 * and rspamd.com's EL builds do not install there (rspamd/rspamd.com#604): msf stops, saying so,
 * rather than deploying a stack without its spam filter. Prints what it added.
 */
export const DNF_REPOSITORIES: ShellScript = sh`. /etc/os-release
major="\${VERSION_ID%%.*}"
added=""
case "$ID" in
  fedora) echo "Rspamd is not packaged for Fedora and rspamd.com's EL packages do not install on it; deploy to a RHEL-family server instead" >&2; exit 3 ;;
  rhel)
    rpm -q epel-release >/dev/null 2>&1 || { dnf install -y -q "https://dl.fedoraproject.org/pub/epel/epel-release-latest-$major.noarch.rpm" && added="$added epel"; }
    subscription-manager repos --enable "codeready-builder-for-rhel-$major-$(uname -m)-rpms" >/dev/null && added="$added codeready-builder" ;;
  *)
    rpm -q epel-release >/dev/null 2>&1 || { dnf install -y -q epel-release && added="$added epel"; }
    dnf config-manager --set-enabled crb && added="$added crb" ;;
esac
if [ ! -f /etc/yum.repos.d/rspamd.repo ]; then
  curl -fsS --max-time 60 -o /etc/yum.repos.d/rspamd.repo "https://rspamd.com/rpm-stable/centos-$major/rspamd.repo"
  rpm --import https://rspamd.com/rpm-stable/gpg.key
  added="$added rspamd"
fi
echo $added`;

/** RHEL family and Fedora: the package leaves the cluster to the administrator (PostgreSQL's own documentation for these). */
export const POSTGRESQL_SETUP: ShellScript = sh`test -s /var/lib/pgsql/data/PG_VERSION || { postgresql-setup --initdb >&2 && echo initialised; }`;

const HBA_BEGIN = "# msf: begin";
const HBA_END = "# msf: end";

/**
 * Password logins over TCP for the mail role: the RHEL family's and openSUSE's pg_hba.conf allow
 * only ident (TCP) and peer (socket) by default, so Postfix and Dovecot could not log in. msf's
 * lines go first (pg_hba is first match), `md5` accepts both md5 and SCRAM stored passwords.
 * Prints `changed` when the file was rewritten (the caller reloads PostgreSQL).
 */
export function pgHbaScript(path: string): ShellScript {
  const block = [HBA_BEGIN, `host ${DATABASE.name} ${DATABASE.role} 127.0.0.1/32 md5`, `host ${DATABASE.name} ${DATABASE.role} ::1/128 md5`, HBA_END].join(
    "\n",
  );
  return sh`f=${path}
{ printf '%s\\n' ${block}; sed ${`/^${HBA_BEGIN}$/,/^${HBA_END}$/d`} "$f"; } > "$f.msf"
if cmp -s "$f.msf" "$f"; then rm "$f.msf"; else chown --reference="$f" "$f.msf" && chmod --reference="$f" "$f.msf" && mv "$f.msf" "$f" && echo changed; fi`;
}

/** The mail services firewalld's service names cover: what the checks reach from outside. */
const FIREWALLD_SERVICES = ["smtp", "smtp-submission", "smtps", "imap", "imaps", "pop3", "pop3s"];

/** firewalld (on by default on RHEL, Fedora Server and openSUSE): opens the mail services. Prints each one it opened. */
export const FIREWALLD_SCRIPT: ShellScript = sh`systemctl is-active --quiet firewalld || exit 0
opened=""
for service in ${FIREWALLD_SERVICES}; do
  firewall-cmd --quiet --query-service="$service" || { firewall-cmd --quiet --permanent --add-service="$service" && opened="$opened $service"; }
done
[ -z "$opened" ] || firewall-cmd --quiet --reload
echo $opened`;

/**
 * SELinux, where it enforces (RHEL family, Fedora, openSUSE Leap 16): msf writes no policy module.
 * It makes only the Postfix and Dovecot domains permissive: what msf's configuration has them do
 * (PostgreSQL and Rspamd over TCP, the mail root) works and each denial is logged (diagnostics
 * collect the audit log) for a tailored policy; the rest of the system stays enforcing. Prints
 * the domains it set.
 */
export const SELINUX_SCRIPT: ShellScript = sh`command -v getenforce >/dev/null 2>&1 && [ "$(getenforce)" = Enforcing ] || exit 0
set=""
for domain in postfix_master_t postfix_smtpd_t postfix_cleanup_t postfix_smtp_t postfix_map_t dovecot_t dovecot_auth_t dovecot_deliver_t; do
  semanage permissive -l | grep -qx "$domain" || { semanage permissive -a "$domain" && set="$set $domain"; }
done
echo $set`;
