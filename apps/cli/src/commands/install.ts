import { type InstallEvent, install } from "@msf/vm";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { seconds } from "../format.ts";
import { durationValue } from "../values.ts";
import { mediaProgress } from "./media-progress.ts";

const schema = z.object({
  distro: z.string(),
  from: z.enum(["iso", "netboot"], { error: "expected iso or netboot" }),
  iso: z.string().optional(),
  mirror: z.string().optional(),
  append: z.string().optional(),
  silence: durationValue.optional(),
  timeout: durationValue.optional(),
  bootCheck: z.boolean().default(true),
});

export default command(schema, async ({ reporter, ctx, input }) => {
  const media = mediaProgress(reporter);
  let doing = `installing ${input.distro}`;
  const stop = reporter.keepAlive(() => doing);
  const result = await install(ctx, {
    distro: input.distro,
    from: input.from,
    iso: input.iso,
    mirror: input.mirror,
    append: input.append?.split(/\s+/).filter(Boolean),
    silenceMs: input.silence,
    timeoutMs: input.timeout,
    bootCheck: input.bootCheck ? undefined : false,
    onEvent: (event) => {
      if (event.type === "install-phase") doing = `installing ${input.distro}: ${event.phase}`;
      const human = describe(event);
      if (human === null) media(event as Exclude<InstallEvent, { type: "install-step" | "install-retry" | "install-phase" | "config-request" }>);
      else reporter.event(event, human);
    },
  }).finally(stop);
  reporter.result(
    result,
    [
      `${reporter.paint("green", "installed")} ${result.distro} from ${result.from} in ${seconds(result.installMs)}${result.bootCheckMs ? `, booted in ${seconds(result.bootCheckMs)}` : ""}`,
      `  phases: ${result.phases.map((p) => `${p.phase} ${seconds(p.atMs)}`).join(", ") || "-"}`,
      `  golden image: ${result.image.dir}`,
    ].join("\n"),
  );
  return EXIT_OK;
});

/** A human line for install events; null hands the event to the media progress printer. */
function describe(event: InstallEvent): string | null {
  switch (event.type) {
    case "install-step":
      return `${event.step}: ${event.detail}`;
    case "install-retry":
      return event.message;
    case "install-phase":
      return `  installer: ${event.phase} at ${seconds(event.atMs)}  (${event.line})`;
    case "config-request":
      return `  config server: ${event.request.method} ${event.request.path} -> ${event.request.status}`;
    default:
      return null;
  }
}
