# repositories (dnf)
. /etc/os-release
major="${VERSION_ID%%.*}"
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
echo $added

# postgresql-setup (dnf)
test -s /var/lib/pgsql/data/PG_VERSION || { postgresql-setup --initdb >&2 && echo initialised; }

# pg_hba (dnf, zypper)
f=/var/lib/pgsql/data/pg_hba.conf
{ printf '%s\n' '# msf: begin
host mail mailreader 127.0.0.1/32 md5
host mail mailreader ::1/128 md5
# msf: end'; sed '/^# msf: begin$/,/^# msf: end$/d' "$f"; } > "$f.msf"
if cmp -s "$f.msf" "$f"; then rm "$f.msf"; else chown --reference="$f" "$f.msf" && chmod --reference="$f" "$f.msf" && mv "$f.msf" "$f" && echo changed; fi

# firewalld
systemctl is-active --quiet firewalld || exit 0
opened=""
for service in smtp smtp-submission smtps imap imaps pop3 pop3s; do
  firewall-cmd --quiet --query-service="$service" || { firewall-cmd --quiet --permanent --add-service="$service" && opened="$opened $service"; }
done
[ -z "$opened" ] || firewall-cmd --quiet --reload
echo $opened

# selinux
command -v getenforce >/dev/null 2>&1 && [ "$(getenforce)" = Enforcing ] || exit 0
set=""
for domain in postfix_master_t postfix_smtpd_t postfix_cleanup_t postfix_smtp_t postfix_map_t dovecot_t dovecot_auth_t dovecot_deliver_t; do
  semanage permissive -l | grep -qx "$domain" || { semanage permissive -a "$domain" && set="$set $domain"; }
done
echo $set
