import { listRuns } from "@msf/run";
import type { CommandEnv } from "../commands.ts";
import { table } from "../format.ts";

export async function run({ reporter, ctx }: CommandEnv): Promise<number> {
  const runs = await listRuns(ctx);
  const human = runs.length
    ? table(
        ["run", "status", "matrix", "tasks done"],
        runs.map((r) => [r.runId, r.status, r.matrix.join(","), `${r.done}/${r.total}`]),
      )
    : "no runs yet (msf run starts one)";
  reporter.result({ runs }, human);
  return 0;
}
