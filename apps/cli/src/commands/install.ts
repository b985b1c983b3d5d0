import { MsfError } from "@msf/core";
import { type InstallEvent, install } from "@msf/vm";
import type { CommandEnv } from "../commands.ts";
import { parseDuration, seconds } from "../format.ts";
import { progressPrinter } from "./progress.ts";

export async function run({ reporter, ctx, args, options }: CommandEnv): Promise<number> {
  const from = options.from as string;
  if (from !== "iso" && from !== "netboot") throw new MsfError("ERR_MSF_USAGE", `--from must be iso or netboot, not ${from}`);
  const media = progressPrinter(reporter);
  const result = await install(ctx, {
    distro: args[0] as string,
    from,
    iso: options.iso as string | undefined,
    mirror: options.mirror as string | undefined,
    append: options.append ? String(options.append).split(/\s+/).filter(Boolean) : undefined,
    silenceMs: options.silence ? parseDuration(options.silence as string) : undefined,
    timeoutMs: options.timeout ? parseDuration(options.timeout as string) : undefined,
    bootCheck: options.bootCheck === false ? false : undefined,
    onEvent: (event) => {
      const human = describe(event);
      if (human === null) media(event as Parameters<typeof media>[0]);
      else reporter.event(event, human);
    },
  });
  reporter.result(
    result,
    [
      `${reporter.paint("32", "installed")} ${result.distro} from ${result.from} in ${seconds(result.installMs)}${result.bootCheckMs ? `, booted in ${seconds(result.bootCheckMs)}` : ""}`,
      `  phases: ${result.phases.map((p) => `${p.phase} ${seconds(p.atMs)}`).join(", ") || "-"}`,
      `  golden image: ${result.image.dir}`,
    ].join("\n"),
  );
  return 0;
}

/** A human line for install events; null hands the event to the media progress printer. */
function describe(event: InstallEvent): string | undefined | null {
  switch (event.type) {
    case "install-step":
      return `${event.step}: ${event.detail}`;
    case "install-retry":
      return event.message as string;
    case "install-phase":
      return `  installer: ${event.phase} at ${seconds(event.atMs as number)}  (${event.line})`;
    case "config-request": {
      const request = event.request as { method: string; path: string; status: number };
      return `  config server: ${request.method} ${request.path} -> ${request.status}`;
    }
    default:
      return null;
  }
}
