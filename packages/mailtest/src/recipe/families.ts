/** Package managers the recipe knows; catalog entries name theirs. */
export type PackageFamily = "apt" | "dnf" | "zypper";

/** Where each family keeps things and what its packages are called. Data, not code. */
export interface FamilyLayout {
  packages: string[];
  /** Refreshes the package lists before an install (bootstrap images ship without them). */
  refresh: string[];
  install: string[];
  /** Lists which of the packages (appended) are installed, one `name status` line each. */
  installedQuery: string[];
  services: { postfix: string; dovecot: string; postgresql: string; redis: string; rspamd: string; clamd: string };
  clamd: { config: string; socket: string; database: string; user: string };
  redisConfig: string;
  /** The user Rspamd runs as (owns the DKIM keys). */
  rspamdUser: string;
  /** Units that only fetch signatures from the internet (those a release has), switched off when there is none. */
  freshclamUnits: string[];
  /**
   * What the family needs beyond Debian's defaults (scripts in deploy/platform.ts): extra
   * repositories, creating the PostgreSQL cluster, pg_hba.conf for password logins over TCP,
   * firewalld and SELinux. Not proven in a VM here: no media of these families is reachable.
   */
  platform: { repositories: boolean; initDatabase: boolean; pgHba?: string; firewalld: boolean; selinux: boolean };
}

export const FAMILIES: Record<PackageFamily, FamilyLayout> = {
  apt: {
    packages: [
      "postfix",
      "postfix-pgsql",
      "dovecot-core",
      "dovecot-imapd",
      "dovecot-pop3d",
      "dovecot-lmtpd",
      "dovecot-pgsql",
      "postgresql",
      "redis-server",
      "rspamd",
      "clamav-daemon",
      "openssl",
      "ca-certificates",
    ],
    refresh: ["apt-get", "update", "-q"],
    install: ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    installedQuery: ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\\n"],
    services: { postfix: "postfix", dovecot: "dovecot", postgresql: "postgresql", redis: "redis-server", rspamd: "rspamd", clamd: "clamav-daemon" },
    clamd: { config: "/etc/clamav/clamd.conf", socket: "/run/clamav/clamd.ctl", database: "/var/lib/clamav", user: "clamav" },
    redisConfig: "/etc/redis/redis.conf",
    rspamdUser: "_rspamd",
    // Debian 13 adds an update at every boot (it waits for the network, then fails offline: 40 s) and its daily timer.
    freshclamUnits: ["clamav-freshclam", "clamav-freshclam-once.service", "clamav-freshclam-once.timer"],
    // Debian's cluster exists once the package is installed, its pg_hba allows passwords over TCP, no firewall or SELinux by default.
    platform: { repositories: false, initDatabase: false, firewalld: false, selinux: false },
  },
  dnf: {
    packages: [
      "postfix",
      "postfix-pgsql",
      "dovecot",
      "dovecot-pgsql",
      "postgresql-server",
      "redis",
      "rspamd",
      "clamd",
      "clamav-update",
      "openssl",
      "ca-certificates",
    ],
    refresh: ["dnf", "makecache", "-q"],
    install: ["dnf", "install", "-y", "-q"],
    installedQuery: ["rpm", "-q", "--qf", "%{NAME} ii\\n"],
    services: { postfix: "postfix", dovecot: "dovecot", postgresql: "postgresql", redis: "redis", rspamd: "rspamd", clamd: "clamd@scan" },
    clamd: { config: "/etc/clamd.d/scan.conf", socket: "/run/clamd.scan/clamd.sock", database: "/var/lib/clamav", user: "clamscan" },
    redisConfig: "/etc/redis/redis.conf",
    rspamdUser: "_rspamd",
    freshclamUnits: ["clamav-freshclam"],
    platform: { repositories: true, initDatabase: true, pgHba: "/var/lib/pgsql/data/pg_hba.conf", firewalld: true, selinux: true },
  },
  zypper: {
    packages: [
      "postfix",
      "postfix-postgresql",
      "dovecot",
      "dovecot-backend-pgsql",
      "postgresql-server",
      "redis",
      "rspamd",
      "clamav",
      "openssl",
      "ca-certificates",
    ],
    refresh: ["zypper", "--non-interactive", "refresh"],
    install: ["zypper", "--non-interactive", "install"],
    installedQuery: ["rpm", "-q", "--qf", "%{NAME} ii\\n"],
    services: { postfix: "postfix", dovecot: "dovecot", postgresql: "postgresql", redis: "redis@default", rspamd: "rspamd", clamd: "clamd" },
    clamd: { config: "/etc/clamd.conf", socket: "/run/clamav/clamd-socket", database: "/var/lib/clamav", user: "vscan" },
    redisConfig: "/etc/redis/default.conf",
    rspamdUser: "rspamd",
    freshclamUnits: ["freshclam"],
    // openSUSE's postgresql unit creates the cluster on its first start; Leap's own repositories carry Rspamd and ClamAV.
    platform: { repositories: false, initDatabase: false, pgHba: "/var/lib/pgsql/data/pg_hba.conf", firewalld: true, selinux: true },
  },
};

export function mailStackPackages(family: PackageFamily): string[] {
  return [...FAMILIES[family].packages];
}
