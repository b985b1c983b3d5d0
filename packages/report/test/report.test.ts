import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compareReports, parseReport, ReportSchema, renderHtml, renderJson, renderJunit, renderMarkdown, upgradeFindings, verdictOf } from "@msf/report";
import { run } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { describe, expect, it } from "vitest";
import { RUN, RUN_V1, UPGRADE_RUN } from "./fixture.ts";

const report = ReportSchema.parse(RUN);

/** xmllint, the reference parser, finds nothing wrong with it. */
async function expectWellFormed(xml: string) {
  const temp = makeTempDir();
  try {
    const file = join(temp.path, "junit.xml");
    writeFileSync(file, xml);
    const lint = await run({ name: "xmllint", command: "xmllint", args: ["--noout", file], timeoutMs: 30_000 });
    expect(lint.stderr).toBe("");
    expect(lint.exitCode).toBe(0);
  } finally {
    temp.remove();
  }
}

describe("the results model", () => {
  it("passes a distribution only with every phase done and its checks passed; nothing ran is not run, never passed", () => {
    expect(report.distributions.map(verdictOf)).toEqual(["passed", "failed", "not-run"]);
    const noChecks = { ...report.distributions[0], checks: [] } as (typeof report.distributions)[0];
    expect(verdictOf(noChecks)).toBe("failed");
  });

  it("calls a run stopped on purpose after its first phases partial, never passed or failed", () => {
    const [passed] = report.distributions;
    if (!passed) throw new Error("fixture changed");
    const installOnly = { ...passed, checks: [], phases: passed.phases.map((p, i) => (i === 0 ? p : { phase: p.phase, status: "not-run" as const })) };
    expect(verdictOf(installOnly)).toBe("partial");
    const failedThenStopped = { ...installOnly, phases: installOnly.phases.map((p, i) => (i === 0 ? { ...p, status: "failed" as const } : p)) };
    expect(verdictOf(failedThenStopped)).toBe("failed");
    const before = ReportSchema.parse(RUN);
    const after = { ...before, distributions: [installOnly] };
    expect(compareReports(before, after).newlyFailing).toEqual([]);
    expect(renderMarkdown(after)).toContain("◐ partial");
  });

  it("round-trips report.json and refuses another schema version, naming the field", () => {
    expect(parseReport(renderJson(RUN))).toEqual(report);
    expect(() => parseReport(JSON.stringify({ ...RUN, schemaVersion: 3 }))).toThrow(/schemaVersion/);
  });

  it("still reads a schema 1 report (before versions) and renders it in every format", () => {
    const old = parseReport(JSON.stringify(RUN_V1));
    expect(old.schemaVersion).toBe(1);
    expect(old.distributions[0]?.versions).toBeUndefined();
    expect(renderMarkdown(old)).toContain("## Debian 12 (bookworm) (debian-12): ✅ passed");
    expect(renderHtml(old)).toContain("<h1>msf run 20261125-1800-ab12</h1>");
    expect(renderJunit(old)).not.toContain("<properties>");
  });
});

describe("renderers (golden)", () => {
  it("report.md: the matrix with each end of life, then per distribution the versions tested and what changed since its last pass", async () => {
    const md = renderMarkdown(report);
    await expect(md).toMatchFileSnapshot("golden/report.md");
    expect(md).toContain("| Debian 11 (bullseye) | ⏸ not run | ended 2026-08-31 |");
    expect(md).toContain("- dovecot: dovecot-core 1:2.3.19.1+dfsg1-2.1+deb12u2");
    expect(md).toContain("- dovecot-core 1:2.3.19.1+dfsg1-2.1+deb12u1 -> 1:2.3.19.1+dfsg1-2.1+deb12u2");
    expect(md).toContain("[packages/debian-12.json](packages/debian-12.json)");
  });

  it("junit.xml: one suite per distribution, a case per phase and check, well-formed (xmllint)", async () => {
    const xml = renderJunit(report);
    await expect(xml).toMatchFileSnapshot("golden/junit.xml");
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
    expect(xml).toContain('<testsuite name="debian-13" tests="6" failures="1" skipped="1"');
    expect(xml).toContain('<property name="version.postfix" value="postfix 3.7.11-0+deb12u1"/>');
    await expectWellFormed(xml);
  });

  it("index.html: self-contained, light and dark with a toggle, transcripts escaped, links to evidence", async () => {
    const html = renderHtml(report);
    await expect(html).toMatchFileSnapshot("golden/index.html");
    expect(html).toContain("prefers-color-scheme: dark");
    expect(html).toContain("toggleTheme()");
    expect(html).not.toMatch(/<(link|script) [^>]*(src|href)=/);
    expect(html).toContain("&lt;&amp; last: apt-get&gt;");
    expect(html).toContain('<a href="vms/debian-12/serial.log">');
    expect(html).toContain('<td class="not-run">not-run</td>');
    expect(html).toContain('<a href="packages/debian-12.json">all 412 packages</a>');
    expect(html).toContain('<td class="not-run">ended 2026-08-31</td>');
  });
});

describe("compare", () => {
  it("lists newly failing, newly passing and >20% slower", () => {
    const before = ReportSchema.parse(RUN);
    const after = structuredClone(before);
    const [d12, d13] = after.distributions;
    if (!d12 || !d13) throw new Error("fixture changed");
    (d12.checks[0] as { status: string }).status = "fail";
    (d12.phases[3] as { durationMs: number }).durationMs = 150_000; // deploy 114 s -> 150 s
    d13.phases = d13.phases.map((p) => ({ ...p, status: "done" as const, durationMs: p.durationMs ?? 1000 }));
    d13.checks = [{ id: "smtp-starttls", component: "postfix", status: "pass", durationMs: 800, message: "ok", evidence: "" }];
    const diff = compareReports(before, after);
    expect(diff.newlyFailing).toEqual(["debian-12", "debian-12:smtp-starttls"]);
    expect(diff.newlyPassing).toEqual(["debian-13"]);
    expect(diff.slower).toContainEqual({ what: "debian-12:deploy", beforeMs: 114_000, afterMs: 150_000 });
  });
});

describe("upgrade rows", () => {
  const upgrade = ReportSchema.parse(UPGRADE_RUN);

  it("round-trip and render in every format: a row per hop with its stages, the integrity table and what broke", async () => {
    expect(parseReport(renderJson(UPGRADE_RUN))).toEqual(upgrade);
    const markdown = renderMarkdown(upgrade);
    await expect(markdown).toMatchFileSnapshot("golden/upgrade.md");
    expect(markdown).toContain("| debian-12 -> debian-13 | broken | - | 1500.0 s | 45.0 s | 70.0 s | 12/14 | 1 failed |");
    expect(markdown).toContain("| alice@msf.test Archive\\|2025 | messages | failed |"); // a folder name's pipe escaped in its cell
    expect(markdown).toContain("after redeploying msf's recipe: 13 passed, 1 failed (imap-read-back: 11 of 12 | messages)");
    expect(markdown).toContain("failed unit dovecot.service: doveconf: Fatal: Error in configuration file /etc/dovecot/conf.d/90-local.conf line 2");
    const html = renderHtml(upgrade);
    await expect(html).toMatchFileSnapshot("golden/upgrade.html");
    expect(html).toContain("&lt;x&gt;"); // the journal escaped
    expect(html).not.toContain("<th>distribution</th>");
    const junit = renderJunit(upgrade);
    await expect(junit).toMatchFileSnapshot("golden/upgrade-junit.xml");
    expect(junit).toContain('<testsuite name="upgrade debian-12 -&gt; debian-13" tests="3" failures="2"');
    await expectWellFormed(junit);
  });

  it("say when a failed step was resumed with msf's recipe for the new release, and whether the upgrade then finished", () => {
    const [, broken] = upgrade.upgrades ?? [];
    if (!broken) throw new Error("fixture changed");
    const failedStep = {
      ...broken.steps[0],
      name: "full-upgrade",
      exitCode: 100,
      ms: 900_000,
      log: "x.log",
      errors: "dpkg: error processing package dovecot-core (--configure):",
    } as const;
    const finished = { ...broken, steps: [failedStep, ...broken.steps], repair: { afterStep: "full-upgrade", finished: true } };
    expect(upgradeFindings(finished)).toContain("the upgrade stopped at full-upgrade; with msf's recipe for the new release deployed, it finished");
    expect(upgradeFindings(finished)).toContain("step full-upgrade ended with 100 (log: x.log):\ndpkg: error processing package dovecot-core (--configure):");
    const stuck = { ...finished, repair: { afterStep: "full-upgrade", finished: false, message: "msf's recipe did not deploy: packages" } };
    expect(upgradeFindings(stuck)).toContain(
      "the upgrade stopped at full-upgrade, and msf's recipe for the new release did not let it finish: msf's recipe did not deploy: packages",
    );
    // What the admin still has to do after a hop, in the findings every format renders.
    const notices = { ...finished, notices: ["PostgreSQL 13/main (port 5432, online) still holds the data"] };
    expect(upgradeFindings(notices)).toContain("still to do: PostgreSQL 13/main (port 5432, online) still holds the data");
    expect(renderMarkdown({ ...upgrade, upgrades: [notices] })).toContain("still to do: PostgreSQL 13/main");
    // JUnit, what CI shows: the step's own errors and the repair, each in its failure.
    const junit = renderJunit({ ...upgrade, upgrades: [stuck] });
    expect(junit).toContain('type="step">dpkg: error processing package dovecot-core (--configure):</failure>');
    expect(junit).toContain(
      `name="redeploy msf's recipe after full-upgrade" time="0.000"><failure message="the upgrade did not finish" type="repair">msf's recipe did not deploy: packages</failure>`,
    );
    expect(renderJunit({ ...upgrade, upgrades: [finished] })).toMatch(/name="redeploy msf's recipe after full-upgrade" time="0.000"><\/testcase>/);
  });
});
