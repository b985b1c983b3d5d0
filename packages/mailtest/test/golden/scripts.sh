# service postfix (restart, quick start)
done=""
fail() { journalctl --no-pager --lines=25 --unit='postfix*' >&2; exit 1; }
systemctl is-enabled --quiet postfix.service 2>/dev/null || { SYSTEMCTL_SKIP_SYSV=1 systemctl enable --no-reload --quiet postfix.service && done="enabled"; }
action=""
if [ 1 = 1 ]; then action=restart; elif ! systemctl is-active --quiet postfix.service; then action=start; fi
if [ -n "$action" ]; then postfix post-install create-missing >&2 && touch "$(postconf -h queue_directory)/quick-start"; systemctl "$action" postfix.service || fail; done="$done ${action}ed"; fi
echo $done

# service redis-server
done=""
fail() { journalctl --no-pager --lines=25 --unit='redis-server*' >&2; exit 1; }
systemctl is-enabled --quiet redis-server 2>/dev/null || { SYSTEMCTL_SKIP_SYSV=1 systemctl enable --no-reload --quiet redis-server && done="enabled"; }
action=""
if [ 0 = 1 ]; then action=restart; elif ! systemctl is-active --quiet redis-server; then action=start; fi
if [ -n "$action" ]; then :; systemctl "$action" redis-server || fail; done="$done ${action}ed"; fi
echo $done

# vmail
changed=""
getent group vmail >/dev/null || { groupadd -g 5000 vmail; changed="$changed group"; }
getent passwd vmail >/dev/null || { useradd -u 5000 -g vmail -d /var/mail/vhosts -s /usr/sbin/nologin vmail; changed="$changed user"; }
[ -d /var/mail/vhosts ] || changed="$changed /var/mail/vhosts"
install -d -o vmail -g vmail -m 0770 /var/mail/vhosts
echo $changed

# wait for postgresql
until pg_isready -q -h 127.0.0.1; do sleep 0.5; done

# postfix running
postfix status >/dev/null 2>&1 || { echo 'the Postfix master is not running' >&2; journalctl --no-pager --lines=25 --unit='postfix*' >&2; exit 1; }

# dovecot config parses
doveconf -n >/dev/null

# disable updaters
for unit in clamav-freshclam.service clamav-freshclam-once.timer; do if systemctl is-enabled --quiet "$unit" 2>/dev/null; then SYSTEMCTL_SKIP_SYSV=1 systemctl disable --now "$unit" || exit 1; echo "$unit"; fi; done

# tld list
grep -E '^[a-z]+$' /usr/share/publicsuffix/effective_tld_names.dat > /etc/rspamd/local.d/msf-tlds.dat.new && printf 'test\nlocal\n' >> /etc/rspamd/local.d/msf-tlds.dat.new
if cmp -s /etc/rspamd/local.d/msf-tlds.dat.new /etc/rspamd/local.d/msf-tlds.dat; then rm /etc/rspamd/local.d/msf-tlds.dat.new; else mv /etc/rspamd/local.d/msf-tlds.dat.new /etc/rspamd/local.d/msf-tlds.dat; echo changed; fi

# dkim key
if [ ! -s /var/lib/rspamd/dkim/msf.test.msf.key ]; then
  install -d -o _rspamd -g _rspamd -m 0750 /var/lib/rspamd/dkim
  (umask 077; cat > /var/lib/rspamd/dkim/msf.test.msf.key.new) && chown _rspamd:_rspamd /var/lib/rspamd/dkim/msf.test.msf.key.new && mv /var/lib/rspamd/dkim/msf.test.msf.key.new /var/lib/rspamd/dkim/msf.test.msf.key
  echo created
else cat >/dev/null; fi
openssl rsa -in /var/lib/rspamd/dkim/msf.test.msf.key -pubout -outform DER 2>/dev/null | base64 -w0

# unit status
for u in postfix dovecot; do systemctl status --no-pager --lines=15 "$u"; done

# file states
for f in "$@"; do if [ -f "$f" ]; then printf '%s %s\n' "$(stat -c '%a:%U:%G' "$f")" "$(sha256sum "$f")"; else printf 'missing -  %s\n' "$f"; fi; done
