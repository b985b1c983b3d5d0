import { mediaCheckUrls } from "@msf/iso";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK, exitFor } from "../exit-codes.ts";

export default command(z.object({}), async ({ reporter, ctx }) => {
  const results = await mediaCheckUrls(ctx, (check) =>
    reporter.event(
      { type: "url-check", ...check },
      `${check.ok ? reporter.paint("green", "ok") : reporter.paint("red", "FAIL")}  ${check.distro}: ${check.detail}`,
    ),
  );
  const failed = results.filter((r) => !r.ok).length;
  reporter.result({ results, failed }, `${results.length - failed} of ${results.length} distributions resolve and download`);
  return failed ? exitFor("ERR_MSF_DOWNLOAD") : EXIT_OK;
});
