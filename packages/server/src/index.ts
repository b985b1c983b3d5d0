export { ARTIFACT_TYPES, artifactType } from "./artifacts.ts";
export { isLoopback, needsToken, presentedToken, tokenMatches } from "./auth.ts";
export { type DistributionHistory, distributionHistories, type ResultOf } from "./history.ts";
export { type Cursor, followJournals, type JournalLine, journalsEnd, parseEventId } from "./journal-follow.ts";
export { msfRunLauncher, type RunLauncher, runArgs, type StartRunRequest } from "./launcher.ts";
export * as schemas from "./schemas.ts";
export { buildServer, type ServerOptions } from "./server.ts";
