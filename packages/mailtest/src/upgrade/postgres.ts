import type { SshSession } from "@msf/ssh";

// A Debian release upgrade installs the new PostgreSQL major beside the old one: the old cluster
// keeps serving (and passes every check), sometimes with a new cluster on the next port. The
// release notes ask the admin to move the data with pg_upgradecluster; until then the upgrade is
// not finished, and the old major gets no more updates. msf says so after a hop.

export interface PgCluster {
  version: string;
  name: string;
  port: number;
  status: string;
}

/** Pure: pg_lsclusters' table (header or not), one cluster per line. */
export function parsePgClusters(text: string): PgCluster[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([version, , port]) => /^\d+(\.\d+)?$/.test(version ?? "") && /^\d+$/.test(port ?? ""))
    .map(([version = "", name = "", port = "", status = ""]) => ({ version, name, port: Number(port), status }));
}

/**
 * Pure: what the admin still has to do when a cluster of an older major is the one online while a
 * newer server is installed (Debian 12 -> 13: 15/main serves, 17 is installed with no cluster;
 * 11 -> 12: 13/main serves, 15/main was created beside it).
 */
export function postgresNotice(clusters: readonly PgCluster[], installed: readonly string[]): string | undefined {
  const newest = Math.max(...[...installed, ...clusters.map((c) => c.version)].map(Number).filter(Number.isFinite));
  const old = clusters.filter((c) => c.status.startsWith("online") && Number(c.version) < newest);
  const [first] = old;
  if (!first) return undefined;
  const list = (cs: readonly PgCluster[]) => cs.map((c) => `${c.version}/${c.name} (port ${c.port}, ${c.status})`).join(", ");
  const beside = clusters.filter((c) => Number(c.version) === newest);
  return `PostgreSQL ${list(old)} still holds the data while ${newest} is installed${beside.length ? ` (${list(beside)} beside it)` : ""}: the release notes move it with pg_upgradecluster ${first.version} ${first.name}`;
}

/** The notice for this server, if any (no pg_lsclusters, as outside Debian's family: none). */
export async function readPostgresNotice(ssh: SshSession): Promise<string | undefined> {
  const listed = await ssh.exec(["pg_lsclusters"], { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 });
  if (listed.exitCode !== 0) return undefined;
  // Debian's layout: one directory per installed server major.
  const installed = await ssh.exec(["ls", "/usr/lib/postgresql"], { timeoutMs: 30_000, maxOutputBytes: 4096 });
  return postgresNotice(
    parsePgClusters(listed.stdout),
    installed.stdout.split(/\s+/).filter((v) => /^\d+$/.test(v)),
  );
}
