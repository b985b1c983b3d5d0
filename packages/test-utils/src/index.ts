export { makeGpgKey, type TestGpgKey } from "./gpg.ts";
export { type Fault, type RequestLog, type Served, serve, startHttpServer, type TestHttpServer } from "./http-server.ts";
export { startNodeScript, waitForExit } from "./node-script.ts";
export { qemuProcessesUnder } from "./processes.ts";
export { MSF_BIN, type MsfRun, msfRunOf, runMsf, type StartedMsf, startMsf } from "./run-msf.ts";
export { startSshd, type TestSshd } from "./sshd.ts";
export { makeTempDir } from "./temp.ts";
export { type Downgrade, downgradeOnePackage } from "./tree-downgrade.ts";
export { vmTestHome } from "./vm-home.ts";
