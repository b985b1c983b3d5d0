import { runDoctor } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { table } from "../format.ts";

export async function run({ reporter, ctx, options }: CommandEnv): Promise<number> {
  const { ok, checks } = await runDoctor(ctx, { reprobe: Boolean(options.reprobe), offline: Boolean(options.offline) });
  const mark = { ok: reporter.paint("32", "ok"), warn: reporter.paint("33", "warn"), fail: reporter.paint("31", "FAIL") };
  const human = [
    table(
      ["check", "status", "detail"],
      checks.map((c) => [c.id, mark[c.status], c.detail]),
    ),
    ...checks.filter((c) => c.hint && c.status !== "ok").map((c) => `  ${c.id}: ${c.hint}`),
    ok ? "host is ready" : "host is not ready: fix the FAIL lines",
  ].join("\n");
  reporter.result({ ok, checks }, human);
  return ok ? 0 : 5;
}
