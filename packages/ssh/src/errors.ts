import { MsfError, type MsfErrorOptions } from "@msf/core";

export class SshError extends MsfError {
  constructor(message: string, options: MsfErrorOptions = {}) {
    super("ERR_MSF_SSH", message, options);
    this.name = "SshError";
  }
}
