export { INTERNAL_PORTS } from "./checks/context.ts";
export { type MailTestOptions, type MailTestReport, type RecordOptions, runAndRecord } from "./checks/record.ts";
export { checkCatalog, type RunChecksOptions, runChecks } from "./checks/run.ts";
export { type CheckResult, type CheckStatus, type Component, Components, type MailAccount, type MailService, type MailTarget } from "./checks/types.ts";
export type { Endpoint } from "./checks/wire/line-client.ts";
export { type Account, AccountSchema, DEFAULT_SETUP, domainsOf, type MailSetup, type MailSetupInput, MailSetupSchema } from "./config/accounts.ts";
export { loadMsfJson, MSF_JSON_LIMITS, type MsfJsonConfig, type MsfJsonOptions, readJsonObject } from "./config/msf-json.ts";
export { type DeployEvent, type DeployOptions, type DeployResult, deployMailStack } from "./deploy/deploy.ts";
export { DeployStepError } from "./deploy/errors.ts";
export { OVERLAY_LIMITS, overlayServices, readOverlay } from "./deploy/overlay.ts";
export { type RotateOptions, type RotateResult, rotateMailSecrets, secretFiles } from "./deploy/rotate.ts";
export { tarArchive, UNPACK_OVER_ROOT } from "./deploy/tar.ts";
export { ensureRunTls, type TlsMaterial, userTls } from "./deploy/tls.ts";
export { collectDiagnostics, diagnosticCommands } from "./diagnostics/collect.ts";
export { clamavFiles, EICAR, eicarSignature } from "./recipe/clamav.ts";
export { dovecotFiles } from "./recipe/dovecot.ts";
export { FAMILIES, type FamilyLayout, mailStackPackages, type PackageFamily } from "./recipe/families.ts";
export { recipeFingerprint } from "./recipe/fingerprint.ts";
export { DEFAULT_MESSAGE_SIZE_LIMIT, type ManagedFile, PATHS, type StackInputs } from "./recipe/inputs.ts";
export { generatePassword, hashPassword, sha512Crypt } from "./recipe/password.ts";
export { masterBlock, postfixMapFiles, postfixSettings } from "./recipe/postfix.ts";
export { dataSql, schemaSql } from "./recipe/postgres.ts";
export { rspamdFiles } from "./recipe/rspamd.ts";
export { loadTargetSetup, mailTestTarget, type TargetTestOptions } from "./target/target.ts";
export { readServerVersions, type ServerVersions } from "./target/versions.ts";
export {
  compareMailStates,
  type IntegrityReport,
  type IntegrityRow,
  type MailState,
  MailStateSchema,
} from "./upgrade/integrity.ts";
export { CORPUS, CORPUS_FOLDERS, fillMailboxes, readMailboxes } from "./upgrade/mailboxes.ts";
export { readPostgresNotice } from "./upgrade/postgres.ts";
export { DEFERRED_RECIPIENT, parsePostqueue, queueDeferred, readMailState } from "./upgrade/state.ts";
export { type ConffilePolicy, packageErrors, type UpgradePlan, type UpgradeStep, upgradePlan } from "./upgrade/steps.ts";
