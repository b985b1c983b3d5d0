import type { Phase } from "../config.ts";
import type { Step } from "../step.ts";
import { archive } from "./archive.ts";
import { boot } from "./boot.ts";
import { collect } from "./collect.ts";
import { deploy } from "./deploy.ts";
import { install } from "./install.ts";
import { media } from "./media.ts";
import { test } from "./test.ts";
import { upgrade } from "./upgrade.ts";

/** The one table of phases: the planner reads their metadata, the in-process runner runs them. */
export const STEPS: { readonly [P in Phase]: Step<unknown, unknown> } = { media, install, archive, boot, deploy, test, collect, upgrade };
