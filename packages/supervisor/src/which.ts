import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { MsfError } from "@msf/core";

/** The absolute path of an executable, as a shell would find it on PATH; undefined when missing. */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = command.includes("/")
    ? [command]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter(isAbsolute)
        .map((dir) => join(dir, command));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function requireExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string {
  const found = findExecutable(command, env);
  if (!found) {
    throw new MsfError("ERR_MSF_HOST_TOOL_MISSING", `${command} was not found on PATH`, {
      hint: "run `msf doctor` to see which host packages to install",
      details: { command },
    });
  }
  return found;
}
