import { open } from "node:fs/promises";
import { MsfError, parseDuration } from "@msf/core";
import { connectRedis, listWorkers, redactRedisUrl } from "@msf/queue";
import { archiveSources, loadRunConfig } from "@msf/run";
import { buildServer, isLoopback, msfRunLauncher, validateSchedule } from "@msf/server";
import { z } from "zod";
import { command, untilInterrupted } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { flag, queueUrlOf } from "../values.ts";

const ListenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[0-9A-Za-z.-]+):\d{1,5}$/, "host:port, e.g. 127.0.0.1:8090")
  .transform((value) => {
    const at = value.lastIndexOf(":");
    return { host: value.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(value.slice(at + 1)) };
  })
  .refine((listen) => listen.port <= 65_535, "the port must be 0-65535");

export default command(
  z.object({
    listen: ListenSchema.default({ host: "127.0.0.1", port: 8090 }),
    tokenFile: z.string().optional(),
    config: z.string().optional(),
    schedule: z.string().optional(),
    onArchiveChange: flag,
    queue: z.string().optional(),
  }),
  async ({ reporter, ctx, input, cwd }) => {
    const token = input.tokenFile ? await readToken(input.tokenFile) : ctx.env.MSF_SERVE_TOKEN?.trim() || undefined;
    const { config } = await loadRunConfig({ cwd, file: input.config });
    const schedule = input.schedule ? { cron: input.schedule, timezone: config.schedule?.timezone } : config.schedule;
    if (schedule) validateSchedule(schedule.cron, schedule.timezone);
    // Runs started from the API or the schedule are this same msf (node and its bin) running `msf run`.
    const queue = queueUrlOf(input.queue, ctx.env);
    const redis = queue ? await connectRedis(queue) : undefined;
    const launcher = msfRunLauncher(ctx, [process.execPath, ...process.execArgv, process.argv[1] as string], { config: input.config, queue });
    const watch = config.onArchiveChange ?? (input.onArchiveChange ? { every: "15m" } : undefined);
    const archive = watch ? { sources: archiveSources(config), intervalMs: parseDuration(watch.every) ?? 15 * 60_000 } : undefined;
    const background = { alerts: config.alerts, schedule, keepRuns: config.retention?.keepRuns, archive };
    const workers = redis ? () => listWorkers(redis) : undefined;
    const app = await buildServer({ ctx, loopback: isLoopback(input.listen.host), token, launcher, background, workers });
    const address = await app.listen({ host: input.listen.host, port: input.listen.port });
    const scheduled = `${schedule ? `; runs on "${schedule.cron}"` : ""}${archive ? `; runs when the archive changes (checked every ${watch?.every})` : ""}${queue ? `; runs on the workers of ${redactRedisUrl(queue)}` : ""}`;
    reporter.event(
      { type: "listening", url: address, token: token !== undefined, schedule: schedule?.cron ?? null },
      `msf serve: ${address} (dashboard, /api/v1${scheduled}; Ctrl-C stops)`,
    );
    await untilInterrupted(ctx.signal);
    await app.close();
    redis?.disconnect();
    reporter.result({ url: address, stopped: true }, "msf serve: stopped");
    return EXIT_OK;
  },
);

/** The token from a file (never argv): its first line, at least 16 characters. */
async function readToken(path: string): Promise<string> {
  const file = await open(path).catch((error: NodeJS.ErrnoException) => {
    throw new MsfError("ERR_MSF_USAGE", `--token-file ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`, {
      hint: "write a random token to it, e.g. openssl rand -hex 32 > FILE",
    });
  });
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const token = buffer.subarray(0, bytesRead).toString("utf8").split("\n")[0]?.trim() ?? "";
    if (token.length < 16)
      throw new MsfError("ERR_MSF_USAGE", `--token-file ${path}: the token must be at least 16 characters on the first line`, {
        hint: "openssl rand -hex 32 > FILE",
      });
    return token;
  } finally {
    await file.close();
  }
}
