export { startNodeScript, waitForExit } from "./node-script.ts";
export { type MsfRun, runMsf } from "./run-msf.ts";
export { makeTempDir } from "./temp.ts";
export { vmTestHome } from "./vm-home.ts";
