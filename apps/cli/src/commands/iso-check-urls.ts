import { mediaCheckUrls } from "@msf/iso";
import type { CommandEnv } from "../commands.ts";

export async function run({ reporter, ctx }: CommandEnv): Promise<number> {
  const results = await mediaCheckUrls(ctx, (check) =>
    reporter.event(
      { type: "url-check", ...check },
      `${check.ok ? reporter.paint("32", "ok") : reporter.paint("31", "FAIL")}  ${check.distro}: ${check.detail}`,
    ),
  );
  const failed = results.filter((r) => !r.ok).length;
  reporter.result({ results, failed }, `${results.length - failed} of ${results.length} distributions resolve and download`);
  return failed ? 13 : 0;
}
