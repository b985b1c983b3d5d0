export { type BuildEvent, type BuildStep, type EnsureImageOptions, ensureBootstrapImage } from "./bootstrap/build.ts";
export { BOOTSTRAP_APPEND, customizeFiles, ENABLED_UNITS, FW_CFG, type GuestFile, setupFiles } from "./bootstrap/guest-files.ts";
export { type BootstrapPlan, bootstrapKey, MMDEBSTRAP, type PlanDirs, planBootstrap } from "./bootstrap/plan.ts";
export { BASE_PACKAGES, type BootstrapRecipe, type BootstrapRecipeInput, BootstrapRecipeSchema, recipeFor } from "./bootstrap/recipe.ts";
