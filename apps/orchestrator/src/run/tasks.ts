import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findDistribution } from "@msf/catalog";
import { formatMs, MsfError } from "@msf/core";
import { ensureBootstrapImage } from "@msf/preseed";
import { findImage } from "@msf/qemu";
import type { MsfContext } from "../context.ts";
import { install } from "../install/install.ts";
import { mailDeploy } from "../mail/deploy.ts";
import { mailTest } from "../mail/test.ts";
import { mediaIso } from "../media/media.ts";
import { vmDown } from "../vm/down.ts";
import { imageRecipeFor } from "../vm/recipe.ts";
import { readVmState } from "../vm/state.ts";
import { vmUp } from "../vm/up.ts";
import type { RunConfig } from "./config.ts";
import type { PlannedTask } from "./plan.ts";

export interface TaskEnv {
  ctx: MsfContext;
  config: RunConfig;
  runDir: string;
  /** Outputs of the distribution's earlier tasks. */
  earlier: Record<string, unknown>;
  onLine?: (line: string) => void;
}

/** The VM a run uses for a distribution (apart from the user's own `msf vm up` VMs). */
export const runVmName = (distro: string) => `run-${distro}`;

/** Runs one planned task; resolves with the plain-data outputs the journal records. */
export async function runTask(task: PlannedTask, env: TaskEnv): Promise<Record<string, unknown>> {
  const { ctx } = env;
  const distribution = task.distro ? findDistribution(task.distro) : undefined;
  if (!distribution) throw new Error(`task ${task.id} has no catalog distribution`);
  const name = runVmName(distribution.id);
  const vmRunDir = join(env.runDir, "vms", distribution.id);
  switch (task.phase) {
    case "media":
      return { iso: await mediaIso(ctx, { id: distribution.id, mirror: env.config.mirror }) };
    case "install": {
      if (task.bootstrap) {
        const { image, built } = await ensureBootstrapImage({
          recipe: imageRecipeFor(distribution),
          imagesDir: ctx.paths.images,
          supervisor: ctx.supervisor,
          timeoutScale: ctx.timeoutScale,
          onEvent: (event) => event.type === "build-step" && env.onLine?.(`${event.step} ${event.status}`),
        });
        return { imageDir: image.dir, key: image.manifest.key, built };
      }
      const result = await install(ctx, {
        distro: distribution.id,
        from: "iso",
        iso: env.earlier.iso as string | undefined,
        mirror: env.config.mirror,
        onEvent: (event) => event.type === "install-retry" && env.onLine?.(event.message as string),
      });
      return { imageDir: result.image.dir, key: result.image.key, built: true };
    }
    case "archive": {
      const image = await findImage(ctx.paths.images, distribution.id, env.earlier.key as string, { verify: true });
      if (!image) throw new MsfError("ERR_MSF_IMAGE_CORRUPT", `the golden image ${distribution.id}/${env.earlier.key} is not in the cache`);
      return { sha256: image.manifest.disk.sha256, sizeBytes: image.manifest.disk.sizeBytes };
    }
    case "boot": {
      // The archive task has just re-hashed it: a size check is enough here.
      const image = await findImage(ctx.paths.images, distribution.id, env.earlier.key as string);
      if (!image) throw new MsfError("ERR_MSF_VM_BOOT", `no golden image ${distribution.id}/${env.earlier.key} to boot`);
      const result = await vmUp(ctx, {
        distro: distribution.id,
        name,
        image,
        lifetimeMs: 4 * 3_600_000,
        onEvent: (event) => event.type === "boot-retry" && env.onLine?.(event.message),
      });
      return { vm: name, readyMs: result.readyMs, alreadyRunning: result.alreadyRunning };
    }
    case "deploy": {
      const deployment = await mailDeploy(ctx, {
        name,
        setup: env.config.mail,
        onOutput: env.onLine,
        onEvent: (event) => event.type === "deploy-step" && event.status === "done" && env.onLine?.(`${event.step} done in ${formatMs(event.durationMs)}`),
      });
      return { vm: name, deployedAt: deployment.deployedAt };
    }
    case "test": {
      const report = await mailTest(ctx, { name, onResult: (check) => env.onLine?.(`${check.id} ${check.status} in ${formatMs(check.durationMs)}`) });
      await mkdir(vmRunDir, { recursive: true });
      await writeFile(join(vmRunDir, "checks.json"), `${JSON.stringify(ctx.logger.redact(report.checks), null, 2)}\n`);
      if (report.failed) {
        // Named in the message: the journal, status and report show it without opening checks.json.
        const failed = report.checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => `${c.id}: ${c.message.slice(0, 300)}`);
        throw new MsfError("ERR_MSF_CHECKS_FAILED", `${report.failed} of ${report.checks.length} checks failed:\n  ${failed.join("\n  ")}`, {
          details: { checks: "checks.json" },
        });
      }
      return { passed: report.passed, failed: report.failed, checks: `vms/${distribution.id}/checks.json` };
    }
    case "collect":
      return collect(ctx, name, vmRunDir);
    default:
      throw new Error(`no runner for ${task.phase}`);
  }
}

/** Stops the VM (which removes its keys, secrets and overlay), then copies its console, logs and check results into the run directory. */
export async function collect(ctx: MsfContext, name: string, vmRunDir: string): Promise<Record<string, unknown>> {
  const state = await readVmState(ctx.paths.vms, name);
  if (!state) return { collected: false };
  // QMP quit, no clean shutdown: the overlay is thrown away, and powering off costs 5-7 s under TCG.
  if (state.status !== "stopped") await vmDown(ctx, { name, graceMs: 0 });
  await mkdir(vmRunDir, { recursive: true });
  // A second guard: nothing secret is copied even if a VM directory still holds it.
  await cp(state.dir, vmRunDir, { recursive: true, filter: (source) => !/(\.qcow2|id_ed25519|_key|secrets\.json|\.sock)$/.test(source) });
  return { collected: true, dir: vmRunDir };
}
