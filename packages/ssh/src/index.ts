export { readBanner, type WaitForBannerOptions, waitForBanner } from "./banner.ts";
export { SshError } from "./errors.ts";
export { generateKeyPair, knownHostsLine, publicKeyBlob, type SshKeyPair } from "./keys.ts";
export { shellQuote } from "./quote.ts";
export {
  type ConnectOptions,
  connectSsh,
  describeExec,
  type ExecOptions,
  remoteCommandLine,
  type SshExecResult,
  type SshSession,
  type SshTarget,
} from "./session.ts";
