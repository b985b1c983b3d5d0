import { MsfError } from "@msf/core";

/** A deployment step that failed: names the step, what ran, and its output. */
export class DeployStepError extends MsfError {
  readonly step: string;
  readonly output: string;

  constructor(step: string, what: string, output: string, hint?: string) {
    const tail = output
      .trim()
      .split("\n")
      .slice(-15)
      .map((line) => `  | ${line}`)
      .join("\n");
    super("ERR_MSF_DEPLOY", `deploy step "${step}" failed: ${what}${tail ? `\n${tail}` : ""}`, {
      hint: hint ?? "msf test --diagnostics collects the services' status and logs from the guest",
      details: { step, what },
    });
    this.name = "DeployStepError";
    this.step = step;
    this.output = output;
  }
}
