import type { Distribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { autoyast, autoyastKernelArgs } from "./autoyast.ts";
import { debianKernelArgs, debianPreseed } from "./debian.ts";
import { kickstart, kickstartKernelArgs } from "./kickstart.ts";
import type { InstallProfile } from "./profile.ts";
import { ubuntuAutoinstall, ubuntuKernelArgs } from "./ubuntu.ts";

export type InstallKind = "preseed" | "autoinstall" | "kickstart" | "autoyast";

export interface InstallConfig {
  distro: string;
  kind: InstallKind;
  /** File name -> content, served to the installer over HTTP. */
  files: Record<string, string>;
}

/** Pure: the installer config of a catalog distribution for a profile. */
export function renderInstallConfig(distribution: Distribution, profile: InstallProfile): InstallConfig {
  const kind = distribution.installer;
  switch (kind) {
    case "preseed":
      return { distro: distribution.id, kind, files: { "preseed.cfg": debianPreseed(profile) } };
    case "autoinstall":
      return { distro: distribution.id, kind, files: ubuntuAutoinstall(profile) };
    case "kickstart":
      return { distro: distribution.id, kind, files: { "ks.cfg": kickstart(profile) } };
    case "autoyast":
      return { distro: distribution.id, kind, files: { "autoinst.xml": autoyast(profile) } };
    default:
      throw new MsfError("ERR_MSF_USAGE", `${distribution.id} is built from its archive (installer: ${kind}); it has no installer config`);
  }
}

/** Pure: the kernel command line that points the installer at its config (served under `configUrl`, ending in /). */
export function installerKernelArgs(distribution: Distribution, profile: InstallProfile, configUrl: string, volumeId = ""): string[] {
  switch (distribution.installer) {
    case "preseed":
      return debianKernelArgs(profile, configUrl);
    case "autoinstall":
      return ubuntuKernelArgs(configUrl);
    case "kickstart":
      return kickstartKernelArgs(configUrl, volumeId);
    case "autoyast":
      return autoyastKernelArgs(configUrl);
    default:
      return [];
  }
}
