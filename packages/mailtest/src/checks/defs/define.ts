import type { CheckContext } from "../context.ts";
import type { Component } from "../types.ts";

export interface CheckDef {
  id: string;
  component: Component;
  title: string;
  /** Looks inside the server (loopback services, queues, logs): skipped without SSH access. */
  needsSsh?: boolean;
  /** Waits on the server (a delivery, a spam scan): started first so it does not run on alone at the end. */
  slow?: boolean;
  /** Resolves with what was proven; throws CheckFailure when the server does not behave. */
  run(ctx: CheckContext): Promise<string>;
}

export function check(def: CheckDef): CheckDef {
  return def;
}
