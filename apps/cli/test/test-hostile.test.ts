import { writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { makeTempDir, runMsf } from "@msf/test-utils";
import { afterAll, describe, expect, it } from "vitest";

// `msf test --host` against loopback servers that misbehave on purpose: each check ends with a clear
// verdict, msf does not crash or run out of memory, and it exits leaving no connection open.
const temp = makeTempDir();
afterAll(() => temp.remove());
const config = join(temp.path, "accounts.json");
writeFileSync(config, JSON.stringify({ domain: "example.test", hostname: "mail.example.test", accounts: [{ address: "a@example.test", password: "pw-1" }] }));

interface Hostile {
  port: number;
  /** Connections msf still holds open. */
  open: Set<Socket>;
  close(): Promise<void>;
}

async function hostile(onConnection: (socket: Socket) => void): Promise<Hostile> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => {});
    socket.resume(); // reads (and drops) what msf sends, so its close is seen
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    open,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The server has seen every connection close (its close events may trail msf's exit by a moment). */
async function allClosed(server: Hostile): Promise<number> {
  for (let i = 0; i < 50 && server.open.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return server.open.size;
}

/** Writes `chunk` for as long as the peer reads, without a newline. */
function flood(socket: Socket, chunk: Buffer): void {
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk)) {}
  };
  socket.on("drain", pump);
  pump();
}

// A small heap: a client that buffered without limit would die of it instead of giving a verdict.
const env = { ...process.env, MSF_HOME: join(temp.path, "home"), MSF_TIMEOUT_SCALE: "0.03", NODE_OPTIONS: "--max-old-space-size=192" };

async function msfTestAgainst(server: Hostile) {
  const run = await runMsf(
    ["test", "--host", "127.0.0.1", "--smtp", `127.0.0.1:${server.port}`, "--config", config, "--only", "smtp-ehlo", "--json"],
    env,
    90_000,
  );
  const checks = run.lines.filter((line) => line.type === "check") as Array<{ id: string; status: string; message: string }>;
  return { run, ehlo: checks.find((c) => c.id === "smtp-ehlo") };
}

describe("msf test against hostile mail servers", () => {
  it("a server that never sends a newline: a clear error, no crash", async () => {
    const server = await hostile((socket) => {
      socket.write("220 ");
      flood(socket, Buffer.alloc(64 * 1024, "x"));
    });
    try {
      const { run, ehlo } = await msfTestAgainst(server);
      expect(run.code, run.stderr).toBe(12);
      expect(ehlo).toMatchObject({
        status: expect.stringMatching(/fail|error/),
        message: expect.stringMatching(/longer than 1048576 bytes without a newline/),
      });
      expect(await allClosed(server)).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("a server that sends 100 MB lines: refused at the line limit", async () => {
    const line = Buffer.concat([Buffer.from("220 "), Buffer.alloc(100 * 1024 * 1024, "y"), Buffer.from("\r\n")]);
    const server = await hostile((socket) => socket.end(line));
    try {
      const { run, ehlo } = await msfTestAgainst(server);
      expect(run.code, run.stderr).toBe(12);
      expect(ehlo?.message).toMatch(/longer than 1048576 bytes/);
    } finally {
      await server.close();
    }
  });

  it("a server that greets, then stalls: the check times out, its socket is closed, and msf exits", async () => {
    const server = await hostile((socket) => socket.write("220 mail.example.test ESMTP\r\n"));
    try {
      const { run, ehlo } = await msfTestAgainst(server);
      expect(run.code, run.stderr).toBe(12);
      expect(ehlo?.message).toMatch(/waiting for a reply did not finish within/);
      expect(await allClosed(server)).toBe(0);
    } finally {
      await server.close();
    }
  });
});
