export { canRun, hostCapabilities, LOST_AFTER_MS, type StepNeeds, type WorkerInfo, WorkerInfoSchema, type WorkerState, workerState } from "./capabilities.ts";
export { type CoordinatorOptions, openCoordinator, type QueueCoordinator } from "./coordinator.ts";
export { MAX_EVIDENCE_BYTES, packEvidence, unpackEvidence } from "./evidence.ts";
export type { StepJob, StepResult } from "./job.ts";
export { checkEvictionPolicy, connectRedis, openRedis, redactRedisUrl } from "./redis.ts";
export { type ListedWorker, listWorkers } from "./registry.ts";
export { assignDistributions, chainDurations, queueLowerBound, type SimulatedWorker, simulateQueue } from "./simulate.ts";
export { type RunningWorker, startWorker, type WorkerOptions } from "./worker.ts";
