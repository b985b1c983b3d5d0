export { type BuildEvent, type BuildStep, type EnsureImageOptions, ensureBootstrapImage, type SuiteRecord } from "./bootstrap/build.ts";
export { debFileName, keepDebs, stageDebCache } from "./bootstrap/deb-cache.ts";
export {
  BOOTSTRAP_APPEND,
  credentialsFiles,
  customizeFiles,
  ENABLED_UNITS,
  FW_CFG,
  type GuestFile,
  MASKED_UNITS,
  setupFiles,
} from "./bootstrap/guest-files.ts";
export { type BootstrapPlan, bootstrapKey, MMDEBSTRAP, type PlanDirs, planBootstrap, type SuiteDigest } from "./bootstrap/plan.ts";
export {
  BASE_PACKAGES,
  type BootstrapRecipe,
  type BootstrapRecipeInput,
  BootstrapRecipeSchema,
  recipeFor,
  recipeSuites,
  unreachableUpdateSuites,
} from "./bootstrap/recipe.ts";
export { keepTree, planUpdate, takeTree, treeIdentity, type UpdateDirs } from "./bootstrap/update.ts";
export { type ConfigRequest, type ConfigServer, type ConfigServerOptions, startConfigServer } from "./install/config-server.ts";
export { CONSOLE_DIALECTS, type ConsoleVerdict, consoleText, InstallerConsole } from "./install/installer-console.ts";
export { type InstallWatchEvent, type InstallWatchResult, type WatchInstallOptions, watchInstall } from "./install/watch-install.ts";
export { autoyast } from "./installers/autoyast.ts";
export { renderCatalogConfigs, renderDistributionConfigs } from "./installers/catalog-configs.ts";
export { buildSeedIso, cloudInitMetaData, cloudInitUserData, seedIsoArgv } from "./installers/cloud-init.ts";
export { debianPostInstallScript, debianPreseed } from "./installers/debian.ts";
export { kickstart } from "./installers/kickstart.ts";
export {
  type InstallProfile,
  type InstallProfileInput,
  InstallProfileSchema,
  PLACEHOLDER_KEY,
  placeholderProfile,
  publicKeyLineProblem,
} from "./installers/profile.ts";
export { type InstallConfig, type InstallKind, installerKernelArgs, renderInstallConfig } from "./installers/render.ts";
export { ubuntuAutoinstall } from "./installers/ubuntu.ts";
export { type ConfigFileKind, configFileKind, structuralProblems } from "./validate/structure.ts";
export { VALIDATORS } from "./validate/tools.ts";
export { type ValidationResult, validateConfigFile, validateConfigs } from "./validate/validate.ts";
