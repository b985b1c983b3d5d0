import { type ShellScript, sh } from "@msf/ssh";
import { PATHS, VMAIL } from "../recipe/inputs.ts";
import { TLD_LIST } from "../recipe/rspamd.ts";

// Every shell script the deploy runs in the guest, built with `sh` (each value quoted) and
// golden-tested. Steps run argv where no shell is needed.

/**
 * Enables and starts a service if it is not; restarts it when its configuration changed. One round
 * trip. Enabling skips the SysV rc links (SYSTEMCTL_SKIP_SYSV: only SysV init reads them, and
 * update-rc.d costs ~9 s per unit under emulation) and the daemon reload (the unit is loaded
 * already; the link only matters at the next boot). A failed start prints the unit's journal.
 * `beforeStart` runs just before a start or restart (not when the unit is left as it is).
 * Prints what it did: `enabled`, `started`, `restarted`.
 */
export function serviceScript(unit: string, restart: boolean, beforeStart: ShellScript = sh`:`): ShellScript {
  const journal = `${unit.replace(/\.service$/, "")}*`;
  return sh`done=""
fail() { journalctl --no-pager --lines=25 --unit=${journal} >&2; exit 1; }
systemctl is-enabled --quiet ${unit} 2>/dev/null || { SYSTEMCTL_SKIP_SYSV=1 systemctl enable --no-reload --quiet ${unit} && done="enabled"; }
action=""
if [ ${restart ? 1 : 0} = 1 ]; then action=restart; elif ! systemctl is-active --quiet ${unit}; then action=start; fi
if [ -n "$action" ]; then ${beforeStart}; systemctl "$action" ${unit} || fail; done="$done \${action}ed"; fi
echo $done`;
}

/** The vmail user and group and the mail root; prints what it created. */
export function vmailScript(): ShellScript {
  return sh`changed=""
getent group ${VMAIL.user} >/dev/null || { groupadd -g ${VMAIL.gid} ${VMAIL.user}; changed="$changed group"; }
getent passwd ${VMAIL.user} >/dev/null || { useradd -u ${VMAIL.uid} -g ${VMAIL.user} -d ${PATHS.mailRoot} -s /usr/sbin/nologin ${VMAIL.user}; changed="$changed user"; }
[ -d ${PATHS.mailRoot} ] || changed="$changed ${PATHS.mailRoot}"
install -d -o ${VMAIL.user} -g ${VMAIL.user} -m 0770 ${PATHS.mailRoot}
echo $changed`;
}

export const WAIT_FOR_POSTGRESQL = sh`until pg_isready -q -h 127.0.0.1; do sleep 0.5; done`;

/**
 * Postfix's own quick start (the marker its `quick-stop` leaves): a start otherwise audits the owner
 * and mode of every file the package installed (`postfix check`, 12 s of a 15 s start under
 * emulation), which the deploy does not touch. The part of that audit a start needs, the spool's
 * missing directories (Debian's packages leave some to the first start), is made here (3 s). A
 * broken main.cf or master.cf still stops the master from starting, and `postfix status` says so.
 */
export const POSTFIX_QUICK_START = sh`postfix post-install create-missing >&2 && touch "$(postconf -h queue_directory)/quick-start"`;

/** Postfix itself says whether its master runs: on Debian 11 and 12 the `postfix` unit is a wrapper that stays active when its instance fails. */
export const POSTFIX_RUNNING = sh`postfix status >/dev/null 2>&1 || { echo 'the Postfix master is not running' >&2; journalctl --no-pager --lines=25 --unit='postfix*' >&2; exit 1; }`;

export const DOVECOT_CONFIG_PARSES = sh`doveconf -n >/dev/null`;

/** Switches off the updaters that are enabled (no internet: they would only fail); prints each one. */
export function disableUnitsScript(units: readonly string[]): ShellScript {
  return sh`for unit in ${units}; do if systemctl is-enabled --quiet "$unit" 2>/dev/null; then SYSTEMCTL_SKIP_SYSV=1 systemctl disable --now "$unit" || exit 1; echo "$unit"; fi; done`;
}

/** The public suffix list as Rspamd's TLD file (emulated guests skip its slow fetch); prints `changed` when it was rewritten. */
export const TLD_LIST_SCRIPT = sh`grep -E '^[a-z]+$' /usr/share/publicsuffix/effective_tld_names.dat > ${`${TLD_LIST}.new`} && printf 'test\\nlocal\\n' >> ${`${TLD_LIST}.new`}
if cmp -s ${`${TLD_LIST}.new`} ${TLD_LIST}; then rm ${`${TLD_LIST}.new`}; else mv ${`${TLD_LIST}.new`} ${TLD_LIST}; echo changed; fi`;

/**
 * The DKIM key: the one on stdin is installed only when the guest has none (a second deploy keeps
 * the published key); prints `created` when it did, then the public key (DER, base64).
 */
export function dkimKeyScript(key: string, user: string): ShellScript {
  return sh`if [ ! -s ${key} ]; then
  install -d -o ${user} -g ${user} -m 0750 ${PATHS.dkimDir}
  (umask 077; cat > ${`${key}.new`}) && chown ${`${user}:${user}`} ${`${key}.new`} && mv ${`${key}.new`} ${key}
  echo created
else cat >/dev/null; fi
openssl rsa -in ${key} -pubout -outform DER 2>/dev/null | base64 -w0`;
}

/** The status of units that are not running, for the error that says so. */
export function unitStatusScript(units: readonly string[]): ShellScript {
  return sh`for u in ${units}; do systemctl status --no-pager --lines=15 "$u"; done`;
}

/** For each file: `mode:owner:group sha256  path`, or `missing -  path` (the files come as "$@"). */
export const FILE_STATES = `for f in "$@"; do if [ -f "$f" ]; then printf '%s %s\\n' "$(stat -c '%a:%U:%G' "$f")" "$(sha256sum "$f")"; else printf 'missing -  %s\\n' "$f"; fi; done`;
