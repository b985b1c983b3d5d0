import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ConsoleVerdict, consoleText, InstallerConsole, startConfigServer } from "@msf/preseed";
import { describe, expect, it } from "vitest";

// The serial console of Debian 12's real netboot installer, captured here: it fetched the preseed,
// configured the network, checked the mirror, then asked because the archive serves no .udeb files.
const captured = readFileSync(join(import.meta.dirname, "fixtures/debian-12-installer-serial.log"), "utf8");
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r/g;

function replay(kind: "preseed", text: string): ConsoleVerdict[] {
  const reader = new InstallerConsole(kind);
  const lines = text.split("\n").map((line) => line.replace(ANSI, ""));
  const verdicts = lines.slice(0, -1).map((line) => reader.read(line));
  verdicts.push(reader.read(lines.at(-1) ?? "", true)); // the prompt waits without a newline
  return verdicts.filter((v) => v !== undefined);
}

describe("the Debian installer's console", () => {
  it("reads the phases of the real installer and the question it stopped at", () => {
    const verdicts = replay("preseed", captured);
    expect(verdicts.filter((v) => v?.type === "phase").map((v) => v?.type === "phase" && v.phase)).toEqual(["network", "mirror", "components"]);
    const question = verdicts.at(-1);
    expect(question).toMatchObject({ type: "question", prompt: expect.stringMatching(/^Prompt: '\?' for help, default=1>/) });
    expect(question?.type === "question" && question.text).toContain("Downloading a file failed:");
    expect(question?.type === "question" && question.text).not.toMatch(/\d+%/);
  });

  it("sees through screen's status bar, which shares lines with real output", () => {
    const bar = "[           (1*installer)  2 shell  3 shell  4- log           ][ Nov 25 18:18 ]";
    expect(consoleText(`${bar}Checking the Debian archive mirror  ... 25%`)).toBe("Checking the Debian archive mirror  ... 25%");
    expect(consoleText(bar)).toBe("");
    // Before 10:00 screen pads the hour with a space (a CI run at 04:xx missed the mirror phase).
    const morning = "[            (1*installer)  2 shell  3 shell  4- log           ][ Nov 26  4:45 ]";
    expect(consoleText(`${morning}Checking the Debian archive mirror  ... 25%`)).toBe("Checking the Debian archive mirror  ... 25%");
    expect(consoleText(`Configuring the network with DHCP  ... 4%${morning}... 100%`)).toBe("Configuring the network with DHCP  ... 4%... 100%");
  });

  it("reports no question for a console that only makes progress", () => {
    const progressOnly = captured.slice(0, captured.indexOf("Loading additional components"));
    expect(replay("preseed", progressOnly).some((v) => v?.type === "question")).toBe(false);
  });
});

describe("the config server", () => {
  it("serves only its files, only under the random path, logs every request without the token, and stops", async () => {
    const server = await startConfigServer({ files: { "preseed.cfg": "d-i debian-installer/locale string en_US.UTF-8\n" }, guestHost: "127.0.0.1" });
    const seen: string[] = [];
    server.onRequest((request) => seen.push(`${request.path} ${request.status}`));
    const token = new URL(server.guestUrl).pathname.split("/")[1] as string;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const served = await fetch(`${server.guestUrl}preseed.cfg`);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("debian-installer/locale");
    expect((await fetch(`http://127.0.0.1:${server.port}/preseed.cfg`)).status).toBe(404);
    expect((await fetch(`${server.guestUrl}other.cfg`)).status).toBe(404);
    expect((await fetch(`${server.guestUrl}preseed.cfg`, { method: "POST" })).status).toBe(405);
    expect(seen).toEqual(["/<token>/preseed.cfg 200", "/preseed.cfg 404", "/<token>/other.cfg 404", "/<token>/preseed.cfg 405"]);
    expect(JSON.stringify(server.requests)).not.toContain(token);
    expect(server.requests[0]).toMatchObject({ method: "GET", file: "preseed.cfg", userAgent: expect.any(String) });
    await server.close();
    await expect(fetch(`${server.guestUrl}preseed.cfg`)).rejects.toThrow();
  });
});
