import type { ErrorCode } from "@msf/core";

/** The CLI is the one place that turns outcomes into exit codes. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  ERR_MSF_USAGE: 2,
  ERR_MSF_CONFIG: 3,
  ERR_MSF_NOT_FOUND: 4,
  ERR_MSF_HOST_TOOL_MISSING: 5,
  ERR_MSF_TIMEOUT: 6,
  ERR_MSF_LOCKED: 7,
  ERR_MSF_VM_BOOT: 8,
  ERR_MSF_SSH: 8,
  ERR_MSF_QMP: 8,
  ERR_MSF_IMAGE_BUILD: 9,
  ERR_MSF_IMAGE_CORRUPT: 9,
  ERR_MSF_CHECKSUM_MISMATCH: 9,
  ERR_MSF_SIGNATURE: 9,
  ERR_MSF_UNSAFE_ARCHIVE: 9,
  ERR_MSF_ARCHIVE_STALE: 9,
  ERR_MSF_DOWNLOAD: 13,
  ERR_MSF_DISK_FULL: 14,
  ERR_MSF_USER_MEDIA: 15,
  ERR_MSF_PROCESS_FAILED: 10,
  ERR_MSF_DEPLOY: 11,
  ERR_MSF_CHECKS_FAILED: 12,
  ERR_MSF_INSTALL_QUESTION: 16,
  ERR_MSF_INSTALL: 16,
  ERR_MSF_ALERT_DELIVERY: 17,
  ERR_MSF_QUEUE: 18,
  ERR_MSF_NO_WORKER: 19,
  ERR_MSF_ABORTED: 130,
};

export const EXIT_OK = 0;
/** A bug (not an MsfError). */
export const EXIT_INTERNAL = 1;

/** The exit code of a command that ends with this outcome, or 0 when it succeeded. */
export function exitFor(code: ErrorCode | undefined): number {
  return code ? EXIT_CODES[code] : EXIT_OK;
}
