import { type VmUpEvent, vmUp } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { parseDuration, seconds } from "../format.ts";
import type { Reporter } from "../reporter.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const result = await vmUp(ctx, {
    distro: args[0] as string,
    name: options.name as string | undefined,
    memoryMiB: options.memory ? Number(options.memory) : undefined,
    cpus: options.cpus ? Number(options.cpus) : undefined,
    lifetimeMs: parseDuration(options.ttl as string),
    keepOnFailure: Boolean(options.keepOnFailure),
    reprobe: Boolean(options.reprobe),
    onEvent: (event) => reporter.event(event, describe(event, reporter)),
  });
  const human = result.alreadyRunning
    ? `${result.name} is already up (pid ${result.pid}), ssh on 127.0.0.1:${result.ssh.port}`
    : `${reporter.paint("32", "ready")} ${result.name} in ${seconds(result.readyMs)} (${result.accel}), ssh on 127.0.0.1:${result.ssh.port}`;
  reporter.result(
    result,
    [human, `  msf vm ssh ${result.name}`, `  ${result.ssh.command}`, `  msf vm down ${result.name}   (ends by itself at ${result.expiresAt})`].join("\n"),
  );
  return 0;
}

/** One human line per event worth showing; undefined hides it. */
function describe(event: VmUpEvent, reporter: Reporter): string | undefined {
  switch (event.type) {
    case "image-cached":
      return `image ${event.distro} ${event.key} from the cache (verified)`;
    case "image-corrupt":
      return reporter.paint("33", `cached image damaged, rebuilding: ${event.reason}`);
    case "build-step":
      return event.status === "started" ? `building image: ${event.step}...` : `  ${event.step} done in ${seconds(event.ms)}`;
    case "build-output":
      return event.step === "mmdebstrap" && /^I: /.test(event.line) ? `  ${event.line}` : undefined;
    case "image":
      return event.built ? `image ${event.distro} ${event.key} built in ${seconds(event.ms)}` : undefined;
    case "accelerator":
      return `accelerator: ${event.accel} (${event.reason}${event.cached ? ", remembered" : ""})`;
    case "launched":
      return `qemu started (pid ${event.pid}), ssh forwarded to 127.0.0.1:${event.ports.ssh}`;
    case "boot-retry":
      return reporter.paint("33", event.message);
    case "waiting":
      return undefined;
    case "phase":
      return `  ${reporter.paint("32", "✓")} ${event.phase.padEnd(10)} ${seconds(event.atMs).padStart(8)}  (+${seconds(event.durationMs)})${event.detail ? `  ${event.detail}` : ""}`;
    case "phase-failed":
      return `  ${reporter.paint("31", "✗")} ${event.phase.padEnd(10)} ${event.reason}`;
  }
}
