import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { catalog } from "@msf/catalog";
import { MsfError, writeFileAtomic } from "@msf/core";
import { requireDistribution } from "@msf/iso";
import { type InstallProfile, InstallProfileSchema, placeholderProfile, renderCatalogConfigs, renderDistributionConfigs } from "@msf/preseed";

export interface PreseedRenderOptions {
  /** Catalog ids; empty with `all`. */
  distros: string[];
  all?: boolean;
  /** A public key file (authorized_keys line); default: the placeholder key of preseeds/. */
  keyFile?: string;
  /** Write here (distro/file); otherwise only returned. */
  out?: string;
}

export interface RenderedFile {
  path: string;
  text: string;
}

/** Renders installer configs for catalog distributions; with `out`, writes them (each atomically). */
export async function preseedRender(options: PreseedRenderOptions): Promise<RenderedFile[]> {
  const profile = await profileFor(options.keyFile);
  const files = options.all ? renderCatalogConfigs(catalog, profile) : renderSome(options.distros, profile);
  const rendered = Object.entries(files).map(([path, text]) => ({ path: options.out ? join(options.out, path) : path, text }));
  if (options.out) for (const file of rendered) await writeFileAtomic(file.path, file.text);
  return rendered;
}

function renderSome(ids: string[], profile: InstallProfile): Record<string, string> {
  if (!ids.length) throw new MsfError("ERR_MSF_USAGE", "name a distribution, or --all", { hint: "msf iso list shows the ids" });
  return renderDistributionConfigs(ids.map(requireDistribution), profile);
}

async function profileFor(keyFile: string | undefined): Promise<InstallProfile> {
  if (!keyFile) return placeholderProfile();
  const key = (
    await readFile(keyFile, "utf8").catch(() => {
      throw new MsfError("ERR_MSF_NOT_FOUND", `cannot read the public key file ${keyFile}`, {
        hint: "give an OpenSSH public key file, e.g. ~/.ssh/id_ed25519.pub",
      });
    })
  ).trim();
  const placeholder = placeholderProfile();
  const parsed = InstallProfileSchema.safeParse({ ...placeholder, user: { ...placeholder.user, sshPublicKey: key } });
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? "not an OpenSSH public key line";
    throw new MsfError("ERR_MSF_CONFIG", `${keyFile}: ${problem}`, { hint: "give an OpenSSH public key file such as ~/.ssh/id_ed25519.pub (one line)" });
  }
  return parsed.data;
}

/** Validates installer configs (files or directories): structure, then the real validators. */
export { validateConfigs as preseedValidate } from "@msf/preseed";
