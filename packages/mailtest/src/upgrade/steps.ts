import type { UpgradeHop } from "@msf/catalog";
import { type ShellScript, sh } from "@msf/ssh";

// A release upgrade in place, the way each distribution documents it, as remote scripts msf runs
// one after another (then it reboots the machine itself, through its own boot path). Only Debian's
// can be proven here; the others are rendered and golden-tested, and say so (`proven: false`).

/** What dpkg does with a configuration file both the admin and the new package changed. */
export type ConffilePolicy = "keep" | "maintainer";

export interface UpgradeStep {
  name: string;
  script: ShellScript;
  /** Without emulation; the caller multiplies it (three times under TCG). */
  timeoutMs: number;
}

export interface UpgradePlan {
  hop: string;
  /** Proven in a VM by msf's own tests (Debian), or rendered from the documentation only. */
  proven: boolean;
  steps: UpgradeStep[];
  /** Where the procedure comes from. */
  reference: string;
  /** The last step reboots into the upgrade itself (Fedora's offline upgrade): msf waits for the boot instead of rebooting. */
  rebootsItself?: boolean;
  /** What finishes packages a failed step left half done (Debian: `dpkg --configure -a`), before that step runs again. */
  resume?: UpgradeStep;
}

const MINUTE = 60_000;

/**
 * apt without questions: conffiles as the policy says, no pager, no service restart prompts. dpkg
 * skips its fsync per file (`--force-unsafe-io`): msf upgrades a throwaway VM, where the fsyncs cost
 * minutes under emulation; what is installed, and what happens to each conffile, is unchanged.
 */
function aptGet(policy: ConffilePolicy, ...args: string[]): ShellScript {
  return sh`${ucfPolicy(policy)} DEBIAN_FRONTEND=noninteractive APT_LISTCHANGES_FRONTEND=none NEEDRESTART_MODE=a apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=${conffileOption(policy)} -o Dpkg::Options::=--force-unsafe-io ${args}`;
}

const conffileOption = (policy: ConffilePolicy) => (policy === "keep" ? "--force-confold" : "--force-confnew");
/**
 * The same policy for the files packages manage with ucf instead of dpkg (Dovecot 2.4's
 * dovecot.conf and conf.d, for one): dpkg's options do not reach ucf, which keeps a changed file
 * unless told otherwise.
 */
const ucfPolicy = (policy: ConffilePolicy): ShellScript => (policy === "keep" ? sh`UCF_FORCE_CONFFOLD=1` : sh`UCF_FORCE_CONFFNEW=1`);

/** Debian: every APT source switched to the next codename (-updates and -security with it), then minimal and full upgrade. */
function debianPlan(hop: UpgradeHop, policy: ConffilePolicy): UpgradePlan {
  const [from, to] = [hop.from.bootstrap?.suite, hop.to.bootstrap?.suite];
  if (!from || !to) throw new Error(`${hop.from.id} -> ${hop.to.id}: no codenames in the catalog`);
  return {
    hop: `${hop.from.id} -> ${hop.to.id}`,
    proven: true,
    reference: `https://www.debian.org/releases/${to}/release-notes/upgrading.html`,
    steps: [
      {
        name: "sources",
        // Each file of /etc/apt that names the old codename, as a word (bookworm, bookworm-updates, bookworm-security).
        script: sh`files=$(grep -rlwE ${from} /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null || true)
[ -n "$files" ] || { echo "no APT source names "${from} >&2; exit 3; }
for f in $files; do sed -i -E "s/\\b"${from}"(-updates|-security|-backports)?\\b/"${to}"\\1/g" "$f"; echo "switched $f"; done`,
        timeoutMs: MINUTE,
      },
      { name: "update", script: aptGet(policy, "update"), timeoutMs: 10 * MINUTE },
      { name: "minimal-upgrade", script: aptGet(policy, "upgrade", "--without-new-pkgs"), timeoutMs: 60 * MINUTE },
      { name: "full-upgrade", script: aptGet(policy, "full-upgrade"), timeoutMs: 90 * MINUTE },
      { name: "autoremove", script: aptGet(policy, "autoremove", "--purge"), timeoutMs: 10 * MINUTE },
    ],
    resume: {
      name: "configure-pending",
      script: sh`${ucfPolicy(policy)} DEBIAN_FRONTEND=noninteractive dpkg --configure -a --force-confdef ${conffileOption(policy)} --force-unsafe-io`,
      timeoutMs: 30 * MINUTE,
    },
  };
}

function onPaper(hop: UpgradeHop, reference: string, steps: Array<[name: string, script: ShellScript, minutes: number]>): UpgradePlan {
  return {
    hop: `${hop.from.id} -> ${hop.to.id}`,
    proven: false,
    reference,
    steps: steps.map(([name, script, minutes]) => ({ name, script, timeoutMs: minutes * MINUTE })),
  };
}

/** Pure: the documented in-place upgrade for a hop, step by step. */
export function upgradePlan(hop: UpgradeHop, policy: ConffilePolicy = "keep"): UpgradePlan {
  const { from, to } = hop;
  switch (from.family) {
    case "debian":
      return debianPlan(hop, policy);
    case "ubuntu":
      return onPaper(hop, "https://documentation.ubuntu.com/server/how-to/software/upgrade-your-release/", [
        ["update", aptGet(policy, "update"), 10],
        ["current-release", aptGet(policy, "full-upgrade"), 60],
        ["release-upgrade", sh`do-release-upgrade -f DistUpgradeViewNonInteractive`, 120],
      ]);
    case "fedora":
      return {
        ...onPaper(hop, "https://docs.fedoraproject.org/en-US/quick-docs/upgrading-fedora-offline/", [
          ["current-release", sh`dnf -y upgrade --refresh`, 60],
          ["download", sh`dnf -y system-upgrade download --releasever=${to.version}`, 120],
          // dnf5 (Fedora 41 on) names it `offline reboot`; the upgrade runs during that boot.
          ["reboot-into-upgrade", sh`if command -v dnf5 >/dev/null; then dnf5 -y offline reboot; else dnf -y system-upgrade reboot; fi`, 5],
        ]),
        rebootsItself: true,
      };
    case "rhel":
      return onPaper(
        hop,
        from.id.startsWith("rhel-")
          ? "https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/10/html/upgrading_from_rhel_9_to_rhel_10/"
          : "https://wiki.almalinux.org/elevate/ELevate-quickstart-guide.html",
        [
          ["current-release", sh`dnf -y update`, 60],
          [
            "leapp",
            from.id.startsWith("rhel-")
              ? sh`dnf -y install leapp-upgrade`
              : sh`dnf -y install http://repo.almalinux.org/elevate/elevate-release-latest-el${from.version}.noarch.rpm && dnf -y install leapp-upgrade leapp-data-${from.id.slice(0, from.id.indexOf("-"))}`,
            10,
          ],
          ["preupgrade", sh`leapp preupgrade --target ${to.version}.0 || { cat /var/log/leapp/leapp-report.txt >&2; exit 1; }`, 30],
          ["upgrade", sh`leapp upgrade --target ${to.version}.0`, 120],
        ],
      );
    case "opensuse":
      return onPaper(hop, "https://en.opensuse.org/SDB:System_upgrade", [
        ["refresh", sh`zypper --non-interactive --releasever=${to.version} refresh`, 10],
        ["dup", sh`zypper --non-interactive --releasever=${to.version} dup --allow-vendor-change --download-in-advance`, 120],
      ]);
  }
}

/** Pure: what apt, dpkg and the daemons they restarted said went wrong, from a step's output (their error lines, at most 2 KB). */
export function packageErrors(output: string): string | undefined {
  const lines = output.split("\n");
  const picked: string[] = [];
  lines.forEach((line, index) => {
    // A daemon's own refusal (doveconf: Fatal: ...), dpkg's and apt's errors.
    if (/^(dpkg: error|dpkg: dependency problems|E: |Errors were encountered)|: Fatal: /.test(line)) picked.push(line);
    // The indented lines after an error say which script failed, or which packages.
    else if (/^ \S/.test(line) && picked.length && /^(dpkg: |Errors were encountered| )/.test(lines[index - 1] ?? "")) picked.push(line);
  });
  const text = [...new Set(picked)].join("\n").trim();
  return text ? text.slice(0, 2048) : undefined;
}
