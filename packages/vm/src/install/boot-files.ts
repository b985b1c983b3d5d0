import { join } from "node:path";
import type { Distribution } from "@msf/catalog";
import { MsfError } from "@msf/core";
import { extractBootFiles, type MediaEvent, mediaIso, mediaNetboot } from "@msf/iso";
import type { MsfContext } from "@msf/supervisor";

export interface InstallerBoot {
  kernel: string;
  initrd: string;
  /** The install medium, attached as a CD-ROM (absent for netboot). */
  iso?: string;
  volumeId: string;
  /** Where it came from, for the image manifest. */
  source: string;
}

export interface BootFilesOptions {
  from: "iso" | "netboot";
  /** A local ISO instead of the catalog's media (a user-provided RHEL DVD, a fixture). */
  iso?: string;
  mirror?: string;
  dir: string;
  onEvent?: (event: MediaEvent) => void;
}

/** The installer's kernel and initrd: extracted from the ISO, or Debian's netboot package from the archive. */
export async function installerBoot(ctx: MsfContext, distribution: Distribution, options: BootFilesOptions): Promise<InstallerBoot> {
  if (options.from === "netboot") {
    const netboot = await mediaNetboot(ctx, { id: distribution.id, out: join(options.dir, "netboot"), mirror: options.mirror, onEvent: options.onEvent });
    return { kernel: netboot.kernel, initrd: netboot.initrd, volumeId: "", source: `netboot (archive signed by ${netboot.signedBy})` };
  }
  if (!distribution.media)
    throw new MsfError("ERR_MSF_USAGE", `${distribution.id} has no install media in the catalog`, { hint: "use --from netboot, or --iso FILE" });
  const iso = options.iso ?? (await mediaIso(ctx, { id: distribution.id, mirror: options.mirror, onEvent: options.onEvent }));
  const boot = await extractBootFiles(ctx.supervisor, iso, distribution.media.boot, join(options.dir, "boot"));
  return { ...boot, iso, source: `iso ${iso}` };
}
