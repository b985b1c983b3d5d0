import { describe, expect, it } from "vitest";
import { parsePgClusters, postgresNotice } from "../src/upgrade/postgres.ts";

// pg_lsclusters on servers upgraded in place with msf's recipe, as they printed it.
const AFTER_11_TO_12 = `Ver Cluster Port Status Owner    Data directory              Log file
13  main    5432 online postgres /var/lib/postgresql/13/main /var/log/postgresql/postgresql-13-main.log
15  main    5433 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log
`;
const AFTER_12_TO_13 = `Ver Cluster Port Status Owner    Data directory              Log file
15  main    5432 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log
`;

describe("postgresNotice", () => {
  it("says the old major still holds the data while a newer server is installed, and the step that moves it", () => {
    const clusters = parsePgClusters(AFTER_11_TO_12);
    expect(clusters).toEqual([
      { version: "13", name: "main", port: 5432, status: "online" },
      { version: "15", name: "main", port: 5433, status: "online" },
    ]);
    expect(postgresNotice(clusters, ["13", "15"])).toBe(
      "PostgreSQL 13/main (port 5432, online) still holds the data while 15 is installed (15/main (port 5433, online) beside it): the release notes move it with pg_upgradecluster 13 main",
    );
    // Debian 13 creates no cluster for 17 beside an existing one: the installed server says it.
    expect(postgresNotice(parsePgClusters(AFTER_12_TO_13), ["15", "17"])).toBe(
      "PostgreSQL 15/main (port 5432, online) still holds the data while 17 is installed: the release notes move it with pg_upgradecluster 15 main",
    );
  });

  it("says nothing once the data is on the newest major, or with no cluster", () => {
    const upgraded =
      "15  main    5432 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log\n13  main    5433 down   postgres /var/lib/postgresql/13/main /var/log/postgresql/postgresql-13-main.log\n";
    expect(postgresNotice(parsePgClusters(upgraded), ["13", "15"])).toBeUndefined();
    expect(postgresNotice(parsePgClusters(AFTER_12_TO_13), ["15"])).toBeUndefined();
    expect(postgresNotice(parsePgClusters(""), ["17"])).toBeUndefined();
  });
});
