export { compareRuns, type RunComparison } from "./compare.ts";
export {
  loadRunConfig,
  MATRICES,
  PHASES,
  type Phase,
  parseRunConfig,
  phaseTimeouts,
  type RunConfig,
  type RunConfigInput,
  RunConfigSchema,
  snapshotsFor,
} from "./config.ts";
export { type ExecutorEvent, type FinishedStatus, FinishedStatusSchema, type RunEvent, RunEventSchema } from "./events.ts";
export { type HostBudget, hostBudget, type RunOptions, type RunResult, runMatrix } from "./execute.ts";
export { type ExecuteOptions, executePlan, PhaseTimeoutError } from "./executor.ts";
export {
  findRun,
  listRuns,
  loadRunReport,
  median,
  medianDurations,
  pageRuns,
  planHistory,
  type RunPageOptions,
  type RunRecord,
  type RunSummary,
  readRunReport,
} from "./history.ts";
export { type ImageRow, imagesGc, imagesList } from "./images.ts";
export { chooseImages, imageChoiceOf } from "./images-at-plan.ts";
export {
  interruptedTasks,
  Journal,
  type JournalEvent,
  type JournalEventInput,
  JournalEventSchema,
  type RunStatus,
  readJournal,
  replayJournal,
} from "./journal.ts";
export { type CpuBudget, cpuBudgetFromHistory, vmPhaseSamples } from "./overlap.ts";
export { archiveSources, narrowPlan, type PlanInputs, type PlannedTask, planRun, type RunPlan } from "./plan.ts";
export { type Restored, restoreFinished } from "./resume.ts";
export { type RetainedRun, runsGc, runsToRemove } from "./retention.ts";
export { inProcessRunner, runVmName, type StepCall, type StepRunner } from "./runner.ts";
export { makespanLowerBound, remainingPaths, simulate, skipAfterFailure, type TaskState, tasksToStart } from "./scheduler.ts";
export { defineStep, type Resources, type Step, type StepContext } from "./step.ts";
export { STEPS } from "./steps/index.ts";
export { changesSinceLastPass, type PackagesFile, PackagesFileSchema, pinPassing, readPackagesFile, testedVersions } from "./versions.ts";
export { type DistributionView, type RunSnapshot, type RunStatusSnapshot, type RunView, readRunSnapshot, runStatusSnapshot, runView } from "./view.ts";
