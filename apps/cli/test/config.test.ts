import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "@msf/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { runMsfInProcess } from "./in-process.ts";

let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => temp?.remove());

describe("msf config show", () => {
  it("prints the defaults, a file's values over them, and names a bad key (exit 3)", async () => {
    temp = makeTempDir();
    const env = { ...process.env, MSF_HOME: temp.path };
    const defaults = await runMsfInProcess(["config", "show", "--json", "--config", join(temp.path, "absent.yaml")], env);
    expect(defaults.code).toBe(3);
    const file = join(temp.path, "msf.config.yaml");
    writeFileSync(file, "matrix: [debian-12]\ntimeoutScale: 2\n");
    const shown = await runMsfInProcess(["config", "show", "--json", "--config", file], env);
    expect(shown.code).toBe(0);
    expect(shown.last).toMatchObject({ source: file, config: { matrix: ["debian-12"], timeoutScale: 2, mail: { domain: "msf.test" } } });
    writeFileSync(file, "timeouts:\n  boot: forever\n");
    const bad = await runMsfInProcess(["config", "show", "--json", "--config", file], env);
    expect(bad.code).toBe(3);
    expect(String(bad.last?.message)).toContain('timeouts.boot: expected a duration such as 90s, 15m or 2h, got "forever"');
  });
});
