export { type ContextOptions, createContext, type MsfContext } from "./context.ts";
export { type CheckStatus, type DoctorCheck, type DoctorOptions, HOST_TOOLS, runDoctor } from "./host/doctor.ts";
export type { BootCheck } from "./install/boot-check.ts";
export { type InstallEvent, type InstallOptions, type InstallResult, install } from "./install/install.ts";
export { type PreseedRenderOptions, preseedRender, preseedValidate, type RenderedFile } from "./install/render.ts";
export { type MailDeployOptions, mailDeploy } from "./mail/deploy.ts";
export { type Deployment, loadDeployment, mailDir } from "./mail/state.ts";
export { loadTargetSetup, mailTestTarget, type TargetTestOptions } from "./mail/target.ts";
export { type MailTestOptions, type MailTestReport, mailTest } from "./mail/test.ts";
export {
  type FetchedMedia,
  type MediaFetchOptions,
  type MediaRow,
  mediaCheckUrls,
  mediaExtract,
  mediaFetch,
  mediaGc,
  mediaIso,
  mediaList,
  mediaNetboot,
  mediaStore,
  mediaVerify,
} from "./media/media.ts";
export { type KilledProcess, killProcess, listProcesses, type ProcessView } from "./processes.ts";
export { loadRunConfig, PHASES, type Phase, parseRunConfig, phaseTimeouts, type RunConfig, type RunConfigInput, RunConfigSchema } from "./run/config.ts";
export { hostBudget, type RunEvent, type RunOptions, type RunResult, runMatrix } from "./run/execute.ts";
export { expectedDurations, findRun, listRuns, loadRunReport, medianDurations, type RunSummary } from "./run/history.ts";
export { interruptedTasks, Journal, type JournalEvent, JournalEventSchema, type RunStatus, readJournal, replayJournal } from "./run/journal.ts";
export { narrowPlan, type PlanInputs, type PlannedTask, planRun, type RunPlan } from "./run/plan.ts";
export { restoreFinished } from "./run/resume.ts";
export { makespanLowerBound, remainingPaths, simulate, skipAfterFailure, type TaskState, tasksToStart } from "./run/scheduler.ts";
export { runVmName } from "./run/tasks.ts";
export { type DistributionView, type RunStatusSnapshot, type RunView, runStatusSnapshot, runView } from "./run/view.ts";
export { type VmDownOptions, type VmDownResult, vmDown } from "./vm/down.ts";
export { interactiveSshArgs, requireRunningVm, type VmExecOptions, vmExec } from "./vm/exec.ts";
export { type VmListEntry, vmList } from "./vm/list.ts";
export { GUEST_PORTS, imageRecipeFor } from "./vm/recipe.ts";
export { readVmState, type VmState, VmStateSchema } from "./vm/state.ts";
export { type VmUpEvent, type VmUpOptions, type VmUpResult, vmUp } from "./vm/up.ts";
