import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "@msf/supervisor";
import { makeTempDir } from "@msf/test-utils";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

// deploy/: the systemd units as systemd reads them, the Kubernetes manifests against the API's
// schemas (kubernetes-models). Checked, not proven on a cluster: docs/scale.md says so.
const root = join(import.meta.dirname, "..");
const KINDS: Record<string, new (data: never) => { validate(): void }> = { DaemonSet, Namespace };

/** systemd-analyze's complaints about a unit (it exits 0 on an unknown key, so its words are the verdict). */
async function systemdComplaints(file: string): Promise<string> {
  const result = await run({ name: "systemd-analyze", command: "systemd-analyze", args: ["verify", file], timeoutMs: 60_000 });
  return `${result.stderr}${result.exitCode === 0 ? "" : `exit ${result.exitCode}`}`.trim();
}

describe("deploy/", () => {
  it("the systemd units parse without a complaint (and a misspelt key is one)", async () => {
    const units = readdirSync(join(root, "deploy/systemd"));
    expect(units.sort()).toEqual(["msf-serve.service", "msf-worker.service"]);
    for (const unit of units) expect(await systemdComplaints(join(root, "deploy/systemd", unit)), unit).toBe("");
    const temp = makeTempDir();
    try {
      const bad = join(temp.path, "bad.service");
      writeFileSync(bad, readFileSync(join(root, "deploy/systemd/msf-worker.service"), "utf8").replace("KillSignal=", "KillSignall="));
      expect(await systemdComplaints(bad)).toMatch(/Unknown key 'KillSignall'/);
    } finally {
      temp.remove();
    }
  });

  it("the Kubernetes manifests fit the API's schemas (and a wrong field does not)", () => {
    const documents = readdirSync(join(root, "deploy/k8s")).flatMap((file) =>
      parseAllDocuments(readFileSync(join(root, "deploy/k8s", file), "utf8")).map((doc) => doc.toJS() as { kind: string }),
    );
    expect(documents.map((d) => d.kind)).toEqual(["Namespace", "DaemonSet"]);
    for (const doc of documents) {
      const Kind = KINDS[doc.kind];
      if (!Kind) throw new Error(`no schema for ${doc.kind}`);
      expect(() => new Kind(doc as never).validate(), doc.kind).not.toThrow();
    }
    const daemonSet = structuredClone(documents[1]) as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds: unknown } } } };
    daemonSet.spec.template.spec.terminationGracePeriodSeconds = "three minutes";
    expect(() => new DaemonSet(daemonSet as never).validate()).toThrow(/terminationGracePeriodSeconds/);
  });
});
