import { describe, expect, it } from "vitest";
import { packageErrors } from "../src/upgrade/steps.ts";

describe("packageErrors", () => {
  it("picks the daemon's refusal, dpkg's and apt's error lines with the lines that say which script and which packages", () => {
    const output = [
      "Setting up postfix (3.10.5-1~deb13u1) ...",
      "Setting up dovecot-core (1:2.4.1+dfsg1-6+deb13u2) ...",
      "doveconf: Fatal: Error in configuration file /etc/dovecot/dovecot.conf line 5: mail_location: Unknown setting",
      "dpkg: error processing package dovecot-core (--configure):",
      " installed dovecot-core package post-installation script subprocess returned error exit status 89",
      "dpkg: dependency problems prevent configuration of dovecot-imapd:",
      " dovecot-imapd depends on dovecot-core (= 1:2.4.1+dfsg1-6+deb13u2); however:",
      "Processing triggers for libc-bin (2.41-12) ...",
      "Errors were encountered while processing:",
      " dovecot-core",
      " dovecot-imapd",
      "E: Sub-process /usr/bin/dpkg returned an error code (1)",
    ].join("\n");
    expect(packageErrors(output)).toBe(
      [
        "doveconf: Fatal: Error in configuration file /etc/dovecot/dovecot.conf line 5: mail_location: Unknown setting",
        "dpkg: error processing package dovecot-core (--configure):",
        " installed dovecot-core package post-installation script subprocess returned error exit status 89",
        "dpkg: dependency problems prevent configuration of dovecot-imapd:",
        " dovecot-imapd depends on dovecot-core (= 1:2.4.1+dfsg1-6+deb13u2); however:",
        "Errors were encountered while processing:",
        " dovecot-core",
        " dovecot-imapd",
        "E: Sub-process /usr/bin/dpkg returned an error code (1)",
      ].join("\n"),
    );
    expect(packageErrors("Reading package lists...\nDone\n")).toBeUndefined();
  });
});
