import { describe, expect, it } from "vitest";
import { installedPackages } from "../src/deploy/deploy.ts";

describe("installedPackages", () => {
  it("counts installed, held, unpacked and half-configured packages; not removed ones or unknown lines", () => {
    const query = [
      "postfix ii ",
      "dovecot-core iF ",
      "dovecot-imapd iU ",
      "redis-server hi ",
      "clamav rc ",
      "rspamd un ",
      "dpkg-query: no packages found matching x",
      "",
    ].join("\n");
    expect([...installedPackages(query)]).toEqual(["postfix", "dovecot-core", "dovecot-imapd", "redis-server"]);
    expect([...installedPackages("postfix ii\nrspamd ii\n")]).toEqual(["postfix", "rspamd"]); // rpm's query, written the same way
  });
});
