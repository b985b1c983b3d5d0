import { FAMILIES } from "./families.ts";
import { file, type ManagedFile, PATHS, type StackInputs } from "./inputs.ts";

/** Rspamd modules that need the internet (DNS blocklists, fuzzy storage, reputation): off, so scans do not wait on timeouts. */
const OFFLINE_MODULES = ["rbl", "fuzzy_check", "asn", "url_reputation", "spf", "dmarc", "dkim", "arc", "greylist", "replies", "neural", "reputation"];

/** Rspamd as Postfix's milter: Redis on 127.0.0.1, GTUBE rejected, ClamAV for attachments, DKIM signing. */
export function rspamdFiles(inputs: StackInputs): ManagedFile[] {
  const clamd = FAMILIES[inputs.family].clamd;
  const files = [
    // 127.0.0.1, not localhost: Rspamd would resolve localhost to ::1 while Redis listens on IPv4.
    file("/etc/rspamd/local.d/redis.conf", 'servers = "127.0.0.1:6379";\n'),
    file(
      "/etc/rspamd/local.d/worker-proxy.inc",
      'milter = yes;\ntimeout = 120s;\nbind_socket = "127.0.0.1:11332";\nupstream "local" {\n  default = yes;\n  self_scan = yes;\n}\n',
    ),
    file("/etc/rspamd/local.d/worker-normal.inc", 'bind_socket = "127.0.0.1:11333";\n'),
    file("/etc/rspamd/local.d/worker-controller.inc", 'bind_socket = "127.0.0.1:11334";\n'),
    // Hyperscan compiles every regexp on first start: minutes under emulation. PCRE starts in seconds.
    // A scan that outlives task_timeout (8 s) ends in a soft reject (4xx) of the message: under
    // emulation, on a shared CPU, scans can take that long, so they get a minute.
    file("/etc/rspamd/local.d/options.inc", `disable_hyperscan = true;\n${inputs.emulated ? `url_tld = "${TLD_LIST}";\ntask_timeout = 60s;\n` : ""}`),
    file("/etc/rspamd/local.d/actions.conf", "reject = 15;\nadd_header = 6;\ngreylist = null;\n"),
    file(
      "/etc/rspamd/local.d/antivirus.conf",
      `clamav {
  type = "clamav";
  servers = "${clamd.socket}";
  symbol = "CLAM_VIRUS";
  action = "reject";
  message = "virus found: \${VIRUS}";
  scan_mime_parts = true;
  scan_text_mime = true;
  scan_image_mime = true;
  log_clean = true;
  timeout = 30;
}
`,
    ),
    file(
      "/etc/rspamd/local.d/dkim_signing.conf",
      `enabled = true;
path = "${PATHS.dkimDir}/$domain.$selector.key";
selector = "${inputs.dkimSelector}";
sign_authenticated = true;
sign_local = false;
use_domain = "header";
allow_username_mismatch = true;
`,
    ),
  ];
  for (const module of OFFLINE_MODULES) files.push(file(`/etc/rspamd/local.d/${module}.conf`, "enabled = false;\n"));
  return files;
}

/** Top-level domains only, from the distribution's own public suffix list (see StackInputs.emulated). */
export const TLD_LIST = "/etc/rspamd/local.d/msf-tlds.dat";
/** The DKIM key of a domain in the guest (its private half is nowhere else once deployed). */
export function dkimKeyPath(domain: string, selector: string): string {
  return `${PATHS.dkimDir}/${domain}.${selector}.key`;
}
