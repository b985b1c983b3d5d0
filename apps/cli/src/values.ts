import { findDistribution } from "@msf/catalog";
import { MsfError, parseDuration } from "@msf/core";
import { z } from "zod";

// zod schemas for what a command line gives: strings to durations, lists, numbers; errors say what is expected.

export const durationValue = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as 90s, 30m or 4h, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
});

/** `a,b,c` to a list. */
export const listValue = z.string().transform((text) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

export const countValue = z.coerce.number({ message: "expected a whole number" }).int("expected a whole number").positive("expected a positive number");
export const flag = z.boolean().default(false);

/** Distribution ids as positional arguments: each must be in the catalog. */
export const distroIds = z
  .array(
    z.string().refine((id) => findDistribution(id) !== undefined, {
      error: (issue) => `unknown distribution ${String(issue.input)} (msf iso list shows the catalog)`,
    }),
  )
  .default([]);

/** --image, --offline, --refresh, --accept-expired: which golden image (msf vm up, msf run). */
export const imageChoiceOptions = {
  image: z
    .string()
    .regex(/^(last-good|[0-9a-f]{8,64})$/, "expected last-good or an image key (hex, as msf images list shows)")
    .optional(),
  offline: flag,
  refresh: flag,
  acceptExpired: flag,
};

export function imageChoiceOf(input: { image?: string; offline: boolean; refresh: boolean; acceptExpired: boolean }) {
  return { image: input.image, offline: input.offline, refresh: input.refresh, acceptExpired: input.acceptExpired };
}

/**
 * The queue's Redis URL: --queue, else $MSF_QUEUE. A password on the command line would show in
 * `ps`, so a URL with one is taken only from the environment.
 */
export function queueUrlOf(option: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (option && /\/\/[^/@]*:[^/@]*@/.test(option)) {
    throw new MsfError("ERR_MSF_USAGE", "--queue: a password on the command line shows in ps", {
      hint: "set MSF_QUEUE=redis://:PASSWORD@host:6379 in the environment instead of --queue",
    });
  }
  return option ?? (env.MSF_QUEUE?.trim() || undefined);
}

/** The queue URL a command cannot do without. */
export function requireQueueUrl(option: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = queueUrlOf(option, env);
  if (!url)
    throw new MsfError("ERR_MSF_USAGE", "no queue: give --queue redis://host:6379 or set MSF_QUEUE", {
      hint: "the Redis that msf serve, msf run and the workers share",
    });
  return url;
}
