import { listRuns } from "@msf/run";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { table } from "../format.ts";

export default command(z.object({}), async ({ reporter, ctx }) => {
  const runs = await listRuns(ctx);
  const rows = runs.map((r) => [r.runId, r.status, r.matrix.join(","), `${r.done}/${r.total}`]);
  reporter.result({ runs }, runs.length ? table(["run", "status", "matrix", "tasks done"], rows) : "no runs yet (msf run starts one)");
  return EXIT_OK;
});
