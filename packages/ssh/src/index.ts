export { openSshSocket, readBanner, type SshSocket, type WaitForBannerOptions, type WaitForSshOptions, waitForBanner, waitForSshSocket } from "./banner.ts";
export { SshError } from "./errors.ts";
export { type HostKeyOptions, type HostKeyPolicy, hostKeyPolicy } from "./host-key-policy.ts";
export { generateKeyPair, knownHostsLine, publicKeyBlob, type SshKeyPair } from "./keys.ts";
export { fingerprintOf, hostKeyAlgorithmsFor, type KnownHostKey, keyTypeOf, knownHostKeys, knownHostsName } from "./known-hosts.ts";
export { commandArgv, commandText, type ShellScript, sh, shellQuote, userCommandLine } from "./quote.ts";
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
export { openTunnel, type Tunnel, type TunnelOptions } from "./tunnel.ts";
