import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/main.ts";
import { chooseReporter } from "../src/reporters/index.ts";

function streams(tty = false) {
  const out = Object.assign(new PassThrough(), { isTTY: tty });
  const err = Object.assign(new PassThrough(), { isTTY: tty });
  const read = (stream: PassThrough) => () => stream.read()?.toString() ?? "";
  return { io: { stdout: out, stderr: err, env: {} }, stdout: read(out), stderr: read(err) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("reporters", () => {
  it("plain says what a long, silent step is doing at least every 30 s; pretty redraws instead", () => {
    vi.useFakeTimers();
    const plain = streams();
    const reporter = chooseReporter({ reporter: "plain" }, plain.io);
    const stop = reporter.keepAlive(() => "building the image: mmdebstrap");
    vi.advanceTimersByTime(29_000);
    expect(plain.stderr()).toBe("");
    vi.advanceTimersByTime(2_000);
    expect(plain.stderr()).toBe("... building the image: mmdebstrap\n");
    stop();
    vi.advanceTimersByTime(60_000);
    expect(plain.stderr()).toBe("");
    const pretty = streams(true);
    chooseReporter({}, pretty.io).keepAlive(() => "x");
    vi.advanceTimersByTime(60_000);
    expect(pretty.stderr()).toBe("");
  });

  it("--json is ndjson; silent prints errors only; an unknown reporter is a usage error naming the choices", async () => {
    const json = streams();
    expect(await main(["iso", "gc", "--keep", "-1", "--json"], { ...json.io, env: { MSF_HOME: "/tmp/msf-reporters-test" } })).toBe(2);
    expect(JSON.parse(json.stdout())).toMatchObject({ schemaVersion: 1, type: "error", code: "ERR_MSF_USAGE", message: "--keep: expected 0 or more" });
    const silent = streams();
    expect(await main(["iso", "list", "--reporter", "silent"], { ...silent.io, env: { MSF_HOME: "/tmp/msf-reporters-test" } })).toBe(0);
    expect(silent.stdout() + silent.stderr()).toBe("");
    const bogus = streams();
    expect(await main(["iso", "list", "--reporter", "fancy"], bogus.io)).toBe(2);
    expect(bogus.stderr()).toContain("--reporter: expected one of pretty, plain, ndjson, silent");
  });
});
