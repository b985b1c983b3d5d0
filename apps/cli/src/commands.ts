import type { MsfContext } from "@msf/supervisor";
import type { Reporter } from "./reporter.ts";

export interface CommandEnv {
  reporter: Reporter;
  ctx: MsfContext;
  /** Positional arguments, in the order the spec names them (a variadic one last, as an array). */
  args: unknown[];
  options: Record<string, unknown>;
}

export interface CommandModule {
  /** Resolves to the exit code (0 when omitted). */
  run(env: CommandEnv): Promise<number | undefined>;
}

export interface OptionSpec {
  flags: string;
  description: string;
  default?: string | boolean;
}

export interface CommandSpec {
  path: string[];
  summary: string;
  args?: string[];
  options?: OptionSpec[];
  /** Options after the positional arguments belong to them (`msf vm ssh debian-12 ls -l`). */
  passThrough?: boolean;
  load: () => Promise<CommandModule>;
}

/** The one command table: each action loads its module only when it runs. */
export const COMMANDS: CommandSpec[] = [
  {
    path: ["doctor"],
    summary: "check the host: qemu, qemu-img, mmdebstrap, mke2fs, xorriso, ssh, disk, memory, accelerator, mirror",
    options: [
      { flags: "--reprobe", description: "boot a kernel under KVM again instead of using the remembered verdict" },
      { flags: "--offline", description: "skip the check that the Debian archive answers" },
    ],
    load: () => import("./commands/doctor.ts"),
  },
  {
    path: ["vm", "up"],
    summary: "build (or reuse) a distribution's image and boot a VM of it, phase by phase, to a running system",
    args: ["<distro>"],
    options: [
      { flags: "--name <name>", description: "VM name (default: the distribution id)" },
      { flags: "--memory <MiB>", description: "memory in MiB (default: the catalog's)" },
      { flags: "--cpus <n>", description: "virtual CPUs (default: the catalog's)" },
      { flags: "--ttl <duration>", description: "hard limit on the VM's life, e.g. 90m, 4h", default: "4h" },
      { flags: "--keep-on-failure", description: "leave a VM that failed to boot running, to inspect it" },
      { flags: "--reprobe", description: "probe the accelerator again" },
    ],
    load: () => import("./commands/vm-up.ts"),
  },
  {
    path: ["vm", "ssh"],
    summary: "run a command in a VM over SSH (no command: an interactive shell)",
    args: ["<name>", "[command...]"],
    options: [{ flags: "--timeout <duration>", description: "deadline for the command", default: "10m" }],
    passThrough: true,
    load: () => import("./commands/vm-ssh.ts"),
  },
  {
    path: ["vm", "down"],
    summary: "stop a VM: ACPI power-off via QMP, then a hard stop after the grace period",
    args: ["<name>"],
    options: [{ flags: "--grace <duration>", description: "how long the guest may take to power off", default: "60s" }],
    load: () => import("./commands/vm-down.ts"),
  },
  {
    path: ["vm", "list"],
    summary: "VMs of this state directory and whether they run",
    load: () => import("./commands/vm-list.ts"),
  },
  {
    path: ["deploy"],
    summary: "install and configure the mail stack (Postfix, Dovecot, PostgreSQL, Rspamd, Redis, ClamAV) in a running VM",
    args: ["<name>"],
    options: [
      { flags: "--config <file>", description: "domain and accounts from a Mail Server Factory JSON configuration (Examples/*.json)" },
      { flags: "--include-root <dir>", description: "with --config: includes may come from this directory and below (default: the configuration's own)" },
      { flags: "--freshclam", description: "download ClamAV signatures with freshclam (the guest needs internet)" },
      {
        flags: "--with <command>",
        description: "deploy with an external command instead (gets {host} {port} {user} {key}, also as $1..$4 and MSF_* variables)",
      },
      { flags: "--timeout <duration>", description: "limit for the external command", default: "60m" },
      { flags: "--tls-cert <file>", description: "your certificate (PEM) instead of the per-deployment one; with --tls-key and --tls-ca" },
      { flags: "--tls-key <file>", description: "its private key (PEM)" },
      { flags: "--tls-ca <file>", description: "the CA that issued it (the checks verify against it)" },
    ],
    load: () => import("./commands/deploy.ts"),
  },
  {
    path: ["test"],
    summary: "run every acceptance check against a deployed VM: each check's verdict, time and evidence",
    args: ["[name]"],
    options: [
      { flags: "--only <ids>", description: "comma-separated check ids (the readiness gate always runs)" },
      { flags: "--diagnostics", description: "collect diagnostics from the server even when everything passes" },
      { flags: "--no-diagnostics", description: "never run the diagnostic commands on the server (by default they run when a check fails)" },
      { flags: "--target <ssh-url>", description: "test any server instead of a VM: ssh://user@host[:port] (shell access for the inside checks)" },
      { flags: "--host <host>", description: "the mail host, without SSH or when it differs from the SSH host" },
      { flags: "--config <file>", description: "with --target/--host: domain, hostname and accounts with passwords (msf or Mail Server Factory JSON)" },
      { flags: "--include-root <dir>", description: "with --config: includes may come from this directory and below (default: the configuration's own)" },
      { flags: "--ca <file>", description: "with --target/--host: CA certificate the server's certificate must verify against" },
      { flags: "--key <file>", description: "with --target: SSH private key (default ~/.ssh/id_ed25519)" },
      { flags: "--known-hosts <file>", description: "with --target: the known_hosts that holds the server's key (default ~/.ssh/known_hosts)" },
      { flags: "--host-key <fingerprint>", description: "with --target: accept only this host key (SHA256:..., as ssh-keygen -lf prints it)" },
      { flags: "--accept-new-host-key", description: "with --target: trust an unknown host key on first use and record it in known_hosts" },
      ...["smtp", "submission", "smtps", "imap", "imaps", "pop3", "pop3s"].map((service) => ({
        flags: `--${service} <host:port>`,
        description: `where ${service} listens (default: the host's standard port)`,
      })),
    ],
    load: () => import("./commands/test.ts"),
  },
  {
    path: ["iso", "list"],
    summary: "the catalog: id, name, version, installer, media size, cached?",
    load: () => import("./commands/iso-list.ts"),
  },
  {
    path: ["iso", "fetch"],
    summary: "download install media with a live progress bar, verify (signed checksums), cache; resumes",
    args: ["[ids...]"],
    options: [
      { flags: "--mirror <url>", description: "a mirror or local copy tried before the catalog's sources" },
      { flags: "--url <url>", description: "media outside the catalog (or your own RHEL ISO: file://...)" },
      { flags: "--checksum <algo:hex>", description: "with --url: the expected checksum, e.g. sha256:..." },
      { flags: "--sums <url>", description: "with --url: a checksum file listing it" },
      { flags: "--sig <url>", description: "with --sums: its detached signature (with --key)" },
      { flags: "--key <file>", description: "with --sums: the armored public key that signed it (clearsigned, or by --sig)" },
      { flags: "--allow-unsigned-sums", description: "with --sums over plain http and no --key: trust it unsigned (anyone on the path could change it)" },
      { flags: "--concurrency <n>", description: "downloads at once", default: "2" },
    ],
    load: () => import("./commands/iso-fetch.ts"),
  },
  {
    path: ["iso", "verify"],
    summary: "re-hash cached media against the cache manifest",
    args: ["[ids...]"],
    options: [{ flags: "--all", description: "every cached file (the default when no id is given)" }],
    load: () => import("./commands/iso-verify.ts"),
  },
  {
    path: ["iso", "extract"],
    summary: "the installer's kernel and initrd (and the volume id) from a distribution's ISO",
    args: ["<id>"],
    options: [
      { flags: "--out <dir>", description: "where to put them" },
      { flags: "--mirror <url>", description: "fetch the ISO from a mirror first if it is not cached" },
    ],
    load: () => import("./commands/iso-extract.ts"),
  },
  {
    path: ["iso", "netboot"],
    summary: "Debian's installer kernel and initrd from the archive, verified along its signed chain",
    args: ["<id>"],
    options: [
      { flags: "--out <dir>", description: "where to put them" },
      { flags: "--mirror <url>", description: "a Debian mirror (default: the catalog's)" },
    ],
    load: () => import("./commands/iso-netboot.ts"),
  },
  {
    path: ["iso", "gc"],
    summary: "keep the newest N files per distribution, remove the rest",
    options: [{ flags: "--keep <n>", description: "files to keep per distribution", default: "1" }],
    load: () => import("./commands/iso-gc.ts"),
  },
  {
    path: ["iso", "check-urls"],
    summary: "for maintainers with internet: resolve every catalog medium and HEAD its URLs",
    load: () => import("./commands/iso-check-urls.ts"),
  },
  {
    path: ["preseed", "render"],
    summary: "the installer config (preseed, autoinstall, kickstart, AutoYaST) of catalog distributions",
    args: ["[distros...]"],
    options: [
      { flags: "--all", description: "every catalog distribution with an installer, plus first-boot cloud-init (the layout of preseeds/)" },
      { flags: "--out <dir>", description: "write <dir>/<distro>/<file> instead of printing" },
      { flags: "--key <file>", description: "SSH public key to install (default: the placeholder key of preseeds/)" },
    ],
    load: () => import("./commands/preseed-render.ts"),
  },
  {
    path: ["preseed", "validate"],
    summary: "validate installer configs: msf's structural checks, then debconf-set-selections -c, cloud-init schema, xmllint",
    args: ["[paths...]"],
    load: () => import("./commands/preseed-validate.ts"),
  },
  {
    path: ["install"],
    summary: "install a distribution with its own installer, unattended: boot it, serve the config, watch the console, archive the disk",
    args: ["<distro>"],
    options: [
      { flags: "--from <source>", description: "iso (the catalog's media, or --iso) or netboot (Debian's archive)", default: "iso" },
      { flags: "--iso <file>", description: "install from this ISO instead of the catalog's (a RHEL DVD you downloaded)" },
      { flags: "--mirror <url>", description: "fetch media (or the netboot files) from this mirror" },
      { flags: "--append <args>", description: "more kernel arguments for the installer" },
      { flags: "--silence <duration>", description: "fail when the installer prints nothing for this long (default 5m, x3 without KVM)" },
      { flags: "--timeout <duration>", description: "limit for the whole install (default: the catalog's, x3 without KVM)" },
      { flags: "--no-boot-check", description: "do not boot the installed disk before archiving it" },
    ],
    load: () => import("./commands/install.ts"),
  },
  {
    path: ["run"],
    summary: "the matrix: images, VMs, mail stack, checks, per distribution in parallel within the budget; journal, resume, report",
    options: [
      { flags: "--distro <ids>", description: "only these distributions (comma-separated)" },
      { flags: "--phase <phase>", description: "stop after this phase (media, install, archive, boot, deploy, test, collect); earlier ones are reused" },
      { flags: "--matrix <matrix>", description: "default (Debian 11, 12, 13 from the archive), seed (the original matrix, from media) or ids" },
      { flags: "--mirror <url>", description: "Debian mirror or media mirror" },
      { flags: "--config <file>", description: "read this file instead of ./msf.config.yaml" },
      { flags: "--resume", description: "continue the latest unfinished run (the same command again does it too)" },
      { flags: "--dry-run", description: "print the plan: tasks, order, resources, timeouts, actions; change nothing" },
    ],
    load: () => import("./commands/run.ts"),
  },
  {
    path: ["runs"],
    summary: "the runs of this state directory: status, matrix, tasks done",
    load: () => import("./commands/runs.ts"),
  },
  {
    path: ["status"],
    summary: "a run's tasks (state, time, note) and the supervised processes; --watch redraws on every journal event",
    args: ["[run-id]"],
    options: [{ flags: "--watch", description: "keep the view up to date until the run ends" }],
    load: () => import("./commands/status.ts"),
  },
  {
    path: ["report"],
    summary: "a run's report (the newest by default): where it is, or printed in --format md,json,junit,html; --compare A B",
    args: ["[run-id]"],
    options: [
      { flags: "--format <formats>", description: "print these renderings: md, json, junit, html (comma-separated)" },
      { flags: "--compare <run-id>", description: "compare this run with the one named after it: newly failing, newly passing, >20% slower" },
    ],
    load: () => import("./commands/report.ts"),
  },
  {
    path: ["config", "show"],
    summary: "the effective run configuration: msf.config.yaml (validated) over the built-in defaults",
    options: [{ flags: "--config <file>", description: "read this file instead of ./msf.config.yaml" }],
    load: () => import("./commands/config-show.ts"),
  },
  {
    path: ["ps"],
    summary: "supervised processes: name, pid, state, elapsed, cpu, memory, timeout left",
    load: () => import("./commands/ps.ts"),
  },
  {
    path: ["kill"],
    summary: "end a supervised process (by name or pid) with its whole process group",
    args: ["<name>"],
    options: [{ flags: "--grace <duration>", description: "time between SIGTERM and SIGKILL", default: "5s" }],
    load: () => import("./commands/kill.ts"),
  },
];
