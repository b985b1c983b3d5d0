import { spawn } from "node:child_process";

// Puts one package of a kept image build tree one version back (as the archive served it before an
// update), so the next build has exactly one package to bring up to date. Real apt, in a chroot, in a
// mount namespace of its own; needs root and the Debian archive.
const SCRIPT = `root=$1; shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" apt-get -q update >&2
for name; do
  installed=$(chroot "$root" dpkg-query -W -f '${"$"}{Version}' "$name" 2>/dev/null) || continue
  older=$(chroot "$root" apt-cache madison "$name" | awk -F' [|] ' -v v="$installed" 'seen && $2 != v { print $2; exit } $2 == v { seen = 1 }')
  [ -n "$older" ] || continue
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -y --allow-downgrades install "$name=$older" >&2
  chroot "$root" apt-get clean
  rm -f "$root"/var/lib/apt/lists/*_*
  echo "$name $installed $older"
  exit 0
done
echo "none of $* has an older version in the archive" >&2
exit 4`;

export interface Downgrade {
  name: string;
  /** The version the tree had (the archive's newest). */
  from: string;
  to: string;
}

/** The first of `candidates` with an older version in the tree's archive suites, downgraded to it. */
export function downgradeOnePackage(root: string, candidates: string[], timeoutMs = 600_000): Promise<Downgrade> {
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["--mount", "--propagation", "private", "--", "sh", "-euc", SCRIPT, "downgrade", root, ...candidates], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4_000);
    });
    const timer = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      const [name, from, to] = out.trim().split(" ");
      if (code === 0 && name && from && to) resolve({ name, from, to });
      else reject(new Error(`downgrading one of ${candidates.join(", ")} in ${root} failed (exit ${code}): ${err}`));
    });
  });
}
