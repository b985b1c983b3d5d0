import { runDoctor } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";
import { table } from "../format.ts";
import { flag } from "../values.ts";

export default command(z.object({ reprobe: flag, offline: flag }), async ({ reporter, ctx, input }) => {
  const { ok, checks } = await runDoctor(ctx, input);
  const mark = { ok: reporter.paint("green", "ok"), warn: reporter.paint("yellow", "warn"), fail: reporter.paint("red", "FAIL") };
  const human = [
    table(
      ["check", "status", "detail"],
      checks.map((c) => [c.id, mark[c.status], c.detail]),
    ),
    ...checks.filter((c) => c.hint && c.status !== "ok").map((c) => `  ${c.id}: ${c.hint}`),
    ok ? "host is ready" : "host is not ready: fix the FAIL lines",
  ].join("\n");
  reporter.result({ ok, checks }, human);
  return ok ? EXIT_OK : exitFor("ERR_MSF_HOST_TOOL_MISSING");
});
