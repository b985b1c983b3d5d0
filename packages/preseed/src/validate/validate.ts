import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { findExecutable, run } from "@msf/supervisor";
import { type ConfigFileKind, configFileKind, structuralProblems } from "./structure.ts";
import { VALIDATORS } from "./tools.ts";

export interface ValidationResult {
  file: string;
  kind: ConfigFileKind;
  /** "structure" (msf's own checks) or the external tool's name. */
  validator: string;
  status: "pass" | "fail" | "skip";
  messages: string[];
}

const TOOL_TIMEOUT_MS = 60_000;

/** Validates one config file: msf's structural checks, then the real validator when the host has it. */
export async function validateConfigFile(file: string): Promise<ValidationResult[]> {
  const kind = configFileKind(file);
  if (!kind)
    throw new MsfError("ERR_MSF_USAGE", `${file} is not an installer config`, {
      hint: "expected preseed.cfg, *.preseed, user-data, meta-data, ks.cfg, *.ks or *.xml",
    });
  const problems = structuralProblems(kind, await readFile(file, "utf8"));
  const results: ValidationResult[] = [{ file, kind, validator: "structure", status: problems.length ? "fail" : "pass", messages: problems }];
  const validator = VALIDATORS[kind];
  if (!validator) return results;
  if (!findExecutable(validator.tool)) {
    results.push({
      file,
      kind,
      validator: validator.tool,
      status: "skip",
      messages: [`${validator.tool} is not installed (apt-get install ${validator.package})`],
    });
    return results;
  }
  const result = await run({ name: `validate-${kind}`, command: validator.tool, args: validator.argv(file), timeoutMs: TOOL_TIMEOUT_MS });
  const output = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const failed = result.failed || Boolean(validator.failsOn?.test(`${result.stdout}\n${result.stderr}`));
  results.push({ file, kind, validator: validator.tool, status: failed ? "fail" : "pass", messages: failed ? output : [] });
  return results;
}

/** Validates files and directories (recursively; files that are not installer configs are passed over). */
export async function validateConfigs(paths: string[]): Promise<ValidationResult[]> {
  const results: ValidationResult[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw new MsfError("ERR_MSF_NOT_FOUND", `${path} does not exist`, { hint: "give config files or directories, e.g. preseeds/" });
    });
    if (info.isFile()) results.push(...(await validateConfigFile(path)));
    else for (const file of await configFilesUnder(path)) results.push(...(await validateConfigFile(file)));
  }
  return results;
}

async function configFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && configFileKind(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
