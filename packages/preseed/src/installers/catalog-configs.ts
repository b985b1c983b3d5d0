import type { Distribution } from "@msf/catalog";
import { cloudInitMetaData, cloudInitUserData } from "./cloud-init.ts";
import type { InstallProfile } from "./profile.ts";
import { renderInstallConfig } from "./render.ts";

/** Pure: each distribution's installer config files as `<distro>/<file>` -> text (a bootstrap-only one is an error). */
export function renderDistributionConfigs(distributions: readonly Distribution[], profile: InstallProfile): Record<string, string> {
  const files: Record<string, string> = {};
  for (const distribution of distributions) {
    for (const [name, text] of Object.entries(renderInstallConfig(distribution, profile).files)) files[`${distribution.id}/${name}`] = text;
  }
  return files;
}

/** Pure: every installer-based distribution's config, plus first-boot cloud-init (the layout of preseeds/). */
export function renderCatalogConfigs(distributions: readonly Distribution[], profile: InstallProfile): Record<string, string> {
  return {
    "cloud-init/user-data": cloudInitUserData(profile),
    "cloud-init/meta-data": cloudInitMetaData(profile),
    ...renderDistributionConfigs(
      distributions.filter((d) => d.installer !== "bootstrap"),
      profile,
    ),
  };
}
