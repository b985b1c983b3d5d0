import { type VmUpEvent, vmUp } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { bytes, seconds } from "../format.ts";
import type { Reporter } from "../reporters/index.ts";
import { countValue, durationValue, flag, imageChoiceOf, imageChoiceOptions } from "../values.ts";

const schema = z.object({
  distro: z.string(),
  name: z.string().optional(),
  memory: countValue.optional(),
  cpus: countValue.optional(),
  ttl: durationValue,
  keepOnFailure: flag,
  reprobe: flag,
  ...imageChoiceOptions,
});

export default command(schema, async ({ reporter, ctx, input }) => {
  let doing = `booting ${input.name ?? input.distro}`;
  const stop = reporter.keepAlive(() => doing);
  const result = await vmUp(ctx, {
    distro: input.distro,
    name: input.name,
    memoryMiB: input.memory,
    cpus: input.cpus,
    lifetimeMs: input.ttl,
    keepOnFailure: input.keepOnFailure,
    reprobe: input.reprobe,
    choice: imageChoiceOf(input),
    onEvent: (event) => {
      doing = activity(event) ?? doing;
      reporter.event(event, describe(event, reporter));
    },
  }).finally(stop);
  const human = result.alreadyRunning
    ? `${result.name} is already up (pid ${result.pid}), ssh on 127.0.0.1:${result.ssh.port}`
    : `${reporter.paint("green", "ready")} ${result.name} in ${seconds(result.readyMs)} (${result.accel}), ssh on 127.0.0.1:${result.ssh.port}`;
  reporter.result(
    result,
    [human, `  msf vm ssh ${result.name}`, `  ${result.ssh.command}`, `  msf vm down ${result.name}   (ends by itself at ${result.expiresAt})`].join("\n"),
  );
  return EXIT_OK;
});

/** What the command is busy with, for the keep-alive line of plain output. */
function activity(event: VmUpEvent): string | undefined {
  if (event.type === "build-step" && event.status === "started") return `building the image: ${event.step}`;
  if (event.type === "waiting") return `waiting for ${event.phase} (at most ${seconds(event.budgetMs)})`;
  return undefined;
}

/** One human line per event worth showing; undefined hides it. */
function describe(event: VmUpEvent, reporter: Reporter): string | undefined {
  switch (event.type) {
    case "image-cached":
      return `image ${event.distro} ${event.key} from the cache (verified)`;
    case "image-corrupt":
      return reporter.paint("yellow", `cached image damaged, rebuilding: ${event.reason}`);
    case "image-stale":
      return reporter.paint("yellow", event.message);
    case "package-cache":
      return `package cache: ${event.files} .deb files (${bytes(event.bytes)}) verified and handed to the build${event.dropped.length ? `, ${event.dropped.length} damaged ones dropped` : ""}`;
    case "build-step":
      return event.status === "started" ? `building image: ${event.step}...` : `  ${event.step} done in ${seconds(event.ms)}`;
    case "build-output":
      // mmdebstrap's stages; apt's summary of an update ("1 upgraded, 0 newly installed, ...").
      return (event.step === "mmdebstrap" && /^I: /.test(event.line)) || (event.step === "update" && / upgraded, .* newly installed/.test(event.line))
        ? `  ${event.line}`
        : undefined;
    case "update-failed":
      return reporter.paint(
        "yellow",
        `the last build's tree (image ${event.from}) could not be updated, building from scratch: ${event.reason.split("\n")[0]}`,
      );
    case "image":
      return event.built ? `image ${event.distro} ${event.key} built in ${seconds(event.ms)}` : undefined;
    case "accelerator":
      return `accelerator: ${event.accel} (${event.reason}${event.cached ? ", remembered" : ""})`;
    case "launched":
      return `qemu started (pid ${event.pid}), ssh forwarded to 127.0.0.1:${event.ports.ssh}`;
    case "boot-retry":
      return reporter.paint("yellow", event.message);
    case "waiting":
      return undefined;
    case "phase":
      return `  ${reporter.paint("green", "✓")} ${event.phase.padEnd(10)} ${seconds(event.atMs).padStart(8)}  (+${seconds(event.durationMs)})${event.detail ? `  ${event.detail}` : ""}`;
    case "phase-failed":
      return `  ${reporter.paint("red", "✗")} ${event.phase.padEnd(10)} ${event.reason}`;
  }
}
