import type { Distribution } from "@msf/catalog";
import { cloudInitMetaData, cloudInitUserData } from "./cloud-init.ts";
import type { InstallProfile } from "./profile.ts";
import { renderInstallConfig } from "./render.ts";

/** Pure: every installer-based distribution's config, plus first-boot cloud-init, as relative path -> text (the layout of preseeds/). */
export function renderCatalogConfigs(distributions: readonly Distribution[], profile: InstallProfile): Record<string, string> {
  const files: Record<string, string> = {
    "cloud-init/user-data": cloudInitUserData(profile),
    "cloud-init/meta-data": cloudInitMetaData(profile),
  };
  for (const distribution of distributions) {
    if (distribution.installer === "bootstrap") continue;
    for (const [name, text] of Object.entries(renderInstallConfig(distribution, profile).files)) files[`${distribution.id}/${name}`] = text;
  }
  return files;
}
