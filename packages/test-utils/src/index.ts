export { startNodeScript, waitForExit } from "./node-script.ts";
export { makeTempDir } from "./temp.ts";
