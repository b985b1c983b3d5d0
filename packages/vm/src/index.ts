export { connectVm } from "./connect.ts";
export { CREDENTIAL_FILES, makeVmCredentials, qmpSocketPath, removeCredentials, type VmCredentials } from "./credentials.ts";
export { type VmDownOptions, type VmDownResult, vmDown } from "./down.ts";
export { interactiveSshArgs, requireRunningVm, type VmExecOptions, vmExec } from "./exec.ts";
export { requireVm } from "./find.ts";
export type { CheckStatus, DoctorCheck } from "./host/check.ts";
export { type DoctorOptions, HOST_TOOLS, runDoctor } from "./host/doctor.ts";
export { archiveStates, expiredNote, type GoldenImage, goldenImage, type ImageChoice, type ImageEvent } from "./image.ts";
export type { BootCheck } from "./install/boot-check.ts";
export { type InstallEvent, type InstallOptions, type InstallResult, install } from "./install/install.ts";
export { type PreseedRenderOptions, preseedRender, preseedValidate, type RenderedFile } from "./install/render.ts";
export { type VmListEntry, vmList } from "./list.ts";
export { withVmLock } from "./lock.ts";
export { type MailDeployOptions, mailDeploy } from "./mail/deploy.ts";
export { applyOverlay } from "./mail/overlay.ts";
export { type Deployment, loadDeployment, loadSecrets, mailDir } from "./mail/state.ts";
export { endpointsOf, mailTest, vmMailTarget } from "./mail/test.ts";
export { type HopResult, type UpgradeEvent, type UpgradeOptions, type UpgradeResult, vmUpgrade } from "./mail/upgrade.ts";
export { type VmRebootOptions, vmReboot } from "./reboot.ts";
export { GUEST_PORTS, imageRecipeFor } from "./recipe.ts";
export { type VmRestoreOptions, vmRestore } from "./snapshot/restore.ts";
export { type SaveSnapshotOptions, saveSnapshot } from "./snapshot/save.ts";
export { busyShare, QUIET_BUSY_SHARE, settleGuest } from "./snapshot/settle.ts";
export {
  findSnapshot,
  machineFingerprint,
  removeSnapshotsOf,
  type SnapshotKeyInput,
  type SnapshotManifest,
  type StoredSnapshot,
  snapshotKey,
} from "./snapshot/store.ts";
export { vmMachineSpec } from "./spec.ts";
export { readVmState, type VmState, VmStateSchema, vmDir, writeVmState } from "./state.ts";
export { guestTimeoutScale } from "./timeouts.ts";
export { type VmUpEvent, type VmUpOptions, type VmUpResult, vmAccelerator, vmUp } from "./up.ts";
