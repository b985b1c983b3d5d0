import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AlertsConfigSchema } from "@msf/alerts";
import { catalog } from "@msf/catalog";
import { MsfError, parseDuration } from "@msf/core";
import { DEFAULT_SETUP, MailSetupSchema } from "@msf/mailtest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** A run's phases in order; `upgrade` replaces boot through collect in the upgrades matrix. */
export const PHASES = ["media", "install", "archive", "boot", "deploy", "test", "collect", "upgrade"] as const;
export const MATRICES = ["default", "next", "seed", "upgrades"] as const;
export type Phase = (typeof PHASES)[number];

const duration = z.union([z.number().positive(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === "number" ? value * 1000 : parseDuration(value);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as 90s, 15m or 2h, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

const phaseTimeoutsSchema = z
  .object(Object.fromEntries(PHASES.map((phase) => [phase, duration.optional()])) as Record<Phase, z.ZodOptional<typeof duration>>)
  .strict();

// upgrade: a backstop above the sum of its own steps' limits (deploy, a release's packages, reboot, checks).
const DEFAULT_TIMEOUTS: Record<Phase, string> = {
  media: "60m",
  install: "30m",
  archive: "10m",
  boot: "5m",
  deploy: "20m",
  test: "10m",
  collect: "5m",
  upgrade: "150m",
};

/** msf.config.yaml: every key optional, the defaults built in. */
export const RunConfigSchema = z
  .object({
    /**
     * "default" (Debian 11, 12, 13 from the archive), "next" (Debian testing and unstable, moving
     * targets), "seed" (the original 12 from media), "upgrades" (every hop proven here, upgraded in
     * place: Debian 11 -> 12, 12 -> 13), or catalog ids.
     */
    matrix: z.union([z.enum(MATRICES), z.array(z.string()).min(1)]).default("default"),
    resources: z
      .object({ memoryMiB: z.number().int().min(512).optional(), cpus: z.number().int().min(1).optional() })
      .strict()
      .default({}),
    timeouts: phaseTimeoutsSchema.default({}),
    /** Per-distribution overrides, e.g. `distributions: { debian-13: { timeouts: { deploy: 30m } } }`. */
    distributions: z
      .record(
        z.string(),
        z
          .object({
            timeouts: phaseTimeoutsSchema.default({}),
            /** false: build from the release suite alone, without -updates and -security (the release as it shipped). */
            updates: z.boolean().default(true),
            /** This distribution's own `snapshots` (e.g. false for one checked too rarely to restore a snapshot). */
            snapshots: z.boolean().optional(),
          })
          .strict(),
      )
      .default({}),
    /** Which golden images the run boots. */
    images: z
      .object({
        /** No archive check: the newest cached image of each distribution, which may be behind the archive. */
        offline: z.boolean().default(false),
        /** Check the archive's state again now and build every image again. */
        refresh: z.boolean().default(false),
        /** Build from a Release past its Valid-Until (a frozen mirror); the report records it. */
        acceptExpired: z.boolean().default(false),
        /** `last-good` (each distribution's pinned image) or an image key: rerun on that image. */
        use: z
          .string()
          .regex(/^(last-good|[0-9a-f]{8,64})$/, "expected last-good or an image key (hex, as msf images list shows)")
          .optional(),
      })
      .strict()
      .default({ offline: false, refresh: false, acceptExpired: false }),
    /**
     * Restore each distribution's VM from a ready snapshot (a deployed, idle VM saved by an earlier
     * run) instead of booting it, then deploy over it, which rotates every secret; false boots and
     * deploys from scratch every time.
     */
    snapshots: z.boolean().default(true),
    /** Multiplies every phase timeout; without KVM msf multiplies by 3 on top. */
    timeoutScale: z.number().positive().default(1),
    mirror: z.url().optional(),
    mail: MailSetupSchema.default(MailSetupSchema.parse(DEFAULT_SETUP)),
    /**
     * Commands run as root in each VM after msf's recipe, one argv each (e.g. `[systemctl, reload,
     * postfix]`): a site's own steps on top. A command that fails fails the deploy.
     */
    afterDeploy: z
      .array(z.array(z.string().min(1).max(4_096)).min(1, "a command needs at least its program").max(256))
      .max(32)
      .default([]),
    logLevel: z.enum(["error", "warn", "info", "debug", "trace"]).default("info"),
    /** Where regressions (and their fixes) are reported: webhooks (JSON or Slack/Mattermost) and email. */
    alerts: AlertsConfigSchema.default({ webhooks: [], attempts: 3 }),
    /** msf serve starts the matrix on this cron schedule (`msf serve --schedule` wins), in this time zone (default: the host's). */
    schedule: z
      .object({ cron: z.string().min(1), timezone: z.string().optional() })
      .strict()
      .optional(),
    /** msf serve keeps this many finished runs per distribution (and always its last good and first bad); unset: every run. */
    retention: z
      .object({ keepRuns: z.number().int().min(1) })
      .strict()
      .optional(),
    /** msf serve checks the signed InRelease of every suite the matrix uses this often, and runs the distributions whose suite changed. */
    onArchiveChange: z
      .object({
        every: z
          .string()
          .regex(/^\d+(s|m|h)$/, "a duration such as 15m")
          .default("15m"),
      })
      .strict()
      .optional(),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Pure: the effective configuration, or a config error naming each bad key and what it expects. */
export function parseRunConfig(raw: unknown, source = "msf.config.yaml"): RunConfig {
  const parsed = RunConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new MsfError("ERR_MSF_CONFIG", `${source} is not valid:\n  ${problems.join("\n  ")}`, { hint: "msf config show prints the effective configuration" });
  }
  const named = { matrix: Array.isArray(parsed.data.matrix) ? parsed.data.matrix : [], distributions: Object.keys(parsed.data.distributions) };
  for (const [key, ids] of Object.entries(named)) {
    const unknown = ids.filter((id) => !catalog.some((d) => d.id === id));
    if (unknown.length) {
      throw new MsfError("ERR_MSF_CONFIG", `${source}: ${key}: no distribution ${unknown.join(", ")} in the catalog`, {
        hint: `known: ${catalog.map((d) => d.id).join(", ")}`,
      });
    }
  }
  return parsed.data;
}

/** Phase timeouts in ms for a distribution: its own override, else the run's, else the default. */
export function phaseTimeouts(config: RunConfig, distro?: string): Record<Phase, number> {
  const own = (distro && config.distributions[distro]?.timeouts) || {};
  const timeout = (phase: Phase) => own[phase] ?? config.timeouts[phase] ?? (parseDuration(DEFAULT_TIMEOUTS[phase]) as number);
  return Object.fromEntries(PHASES.map((phase) => [phase, timeout(phase)])) as Record<Phase, number>;
}

/** Whether a distribution's VM is restored from, and saved as, a ready snapshot: its own setting, else the run's. */
export function snapshotsFor(config: RunConfig, distro: string): boolean {
  return config.distributions[distro]?.snapshots ?? config.snapshots;
}

/** Reads msf.config.yaml from the directory (or the given file); absent: the defaults. */
export async function loadRunConfig(options: { cwd: string; file?: string }): Promise<{ config: RunConfig; source: string | undefined }> {
  const path = options.file ?? join(options.cwd, "msf.config.yaml");
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" && !options.file) return undefined;
    throw new MsfError("ERR_MSF_CONFIG", `cannot read ${path}: ${error.message}`);
  });
  if (text === undefined) return { config: parseRunConfig({}, "the built-in defaults"), source: undefined };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new MsfError("ERR_MSF_CONFIG", `${path} is not valid YAML: ${(error as Error).message}`);
  }
  return { config: parseRunConfig(raw, path), source: path };
}
