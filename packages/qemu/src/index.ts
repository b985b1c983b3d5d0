export { type AccelVerdict, type DetectOptions, detectAccelerator, type HostIdentity, hostIdentity, type ProbeOptions, probeAccelerator } from "./accel.ts";
export { acceleratorArgs, buildQemuArgv, QEMU_BINARY } from "./argv.ts";
export { type OneMoreTryOptions, oneMoreTry, qemuCrashSignal } from "./crash.ts";
export { type DiskFormat, type DiskInfo, type DiskTools, diskTools, parseDiskInfo, QEMU_IMG, qemuImgArgv } from "./disk.ts";
export { type ImageRef, imagesToRemove, type Pin, PinSchema, readPin, writePin } from "./image-pins.ts";
export {
  findImage,
  type ImageFileEntry,
  type ImageManifest,
  ImageManifestSchema,
  imageDir,
  listImages,
  type PublishInput,
  publishImage,
  removeImage,
  type StoredImage,
} from "./image-store.ts";
export { endMachine, type LaunchedMachine, type LaunchOptions, launchMachine } from "./launch.ts";
export { type MachineStateOptions, restoreMachineState, resumeMachine, saveMachineState, stateUris } from "./machine-state.ts";
export { type MachineProbeInputs, machineProbes } from "./probes.ts";
export { QmpClient, type QmpConnectOptions, QmpError, type QmpEvent } from "./qmp.ts";
export * from "./readiness.ts";
export { SerialTap, type WaitOptions } from "./serial-tap.ts";
export * from "./spec.ts";
export { type StopOptions, type StopOutcome, stopMachine } from "./stop.ts";
export { type HostForward, parseUsernet, queryHostForwards, queryStatus, type VmStatus } from "./usernet.ts";
export {
  bootRetryReason,
  type PhaseProbe,
  type ReadinessEvent,
  VmBootError,
  type WaitReadinessOptions,
  waitForReadiness,
} from "./wait-ready.ts";
