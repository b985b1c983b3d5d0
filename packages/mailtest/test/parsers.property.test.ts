import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { MsfError } from "@msf/core";
import { makeTempDir } from "@msf/test-utils";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineClient } from "../src/checks/wire/line-client.ts";
import { imap, smtpReply } from "../src/checks/wire/protocols.ts";
import { MailSetupSchema } from "../src/config/accounts.ts";
import { loadMsfJson, resolveReferences } from "../src/config/msf-json.ts";

// Property tests for what @msf/mailtest reads from elsewhere: configurations and mail server replies.
// The invariant: a clear error (MsfError for files, Error for the wire) or a correct value, never a
// crash and never a hang.
const temp = makeTempDir();
afterAll(() => temp.remove());

const isConfigError = (error: unknown) => error instanceof MsfError && error.code === "ERR_MSF_CONFIG";
const word = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), minLength: 1, maxLength: 6 });
const reference = fc.array(word, { minLength: 1, maxLength: 3 }).map((parts) => `{{${parts.join(".")}}}`);
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  reference,
  fc.tuple(fc.string({ maxLength: 5 }), reference).map(([a, r]) => `${a}${r}${r}`),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ maxDepth: 4 }, text, fc.integer(), fc.boolean(), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(word, tie("node"), { maxKeys: 4 })),
})).node;

describe("Mail Server Factory JSON", () => {
  it("resolveReferences: a value or a config error, for any variables and references (self-references included)", () => {
    fc.assert(
      fc.property(fc.dictionary(word, value, { maxKeys: 6 }), value, (variables, input) => {
        try {
          resolveReferences(input, variables, "f.json");
        } catch (error) {
          expect(isConfigError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("loadMsfJson over random trees of includes: a configuration or a config error naming a file", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            includes: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
            variables: fc.dictionary(word, value, { maxKeys: 3 }),
            accounts: value,
          }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.constantFrom("object", "not json", "array"),
        async (files, firstKind) => {
          const dir = join(temp.path, `tree-${run++}`);
          mkdirSync(join(dir, "sub"), { recursive: true });
          files.forEach((file, index) => {
            const body = { ...file, includes: file.includes.map((i) => (i % 2 ? `sub/f${i}.json` : `f${i}.json`)) };
            const content = index === 0 && firstKind !== "object" ? (firstKind === "array" ? "[1,2]" : "{ not json") : JSON.stringify(body);
            writeFileSync(join(dir, index % 2 ? `sub/f${index}.json` : `f${index}.json`), content);
          });
          try {
            const config = await loadMsfJson(join(dir, "f0.json"));
            expect(config.files.length).toBeLessThanOrEqual(files.length);
            MailSetupSchema.safeParse(config.setup);
          } catch (error) {
            expect(isConfigError(error), String(error)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("accounts: MailSetupSchema rejects or accepts any JSON value without throwing", () => {
    fc.assert(fc.property(value, (input) => void MailSetupSchema.safeParse(input)));
  });
});

describe("SMTP and IMAP replies from a server that says anything", () => {
  let server: Server;
  let port = 0;
  let next = "";
  beforeAll(async () => {
    server = createServer((socket) => {
      socket.on("error", () => {});
      socket.end(next);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  const reply = fc.oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    fc
      .array(fc.tuple(fc.integer({ min: 100, max: 599 }), fc.constantFrom("-", " ", ""), fc.string({ maxLength: 40 })), { maxLength: 8 })
      .map((lines) => lines.map(([c, s, t]) => `${c}${s}${t}\r\n`).join("")),
    fc
      .array(fc.oneof(fc.constant("* OK hi"), fc.constant("m1 OK done"), fc.string({ maxLength: 40 })), { maxLength: 6 })
      .map((lines) => `${lines.join("\r\n")}\r\n`),
  );

  it("smtpReply and imap each settle: a reply, or an error that says what went wrong", async () => {
    await fc.assert(
      fc.asyncProperty(reply, fc.constantFrom("smtp", "imap"), async (served, protocol) => {
        next = served;
        const client = await LineClient.connect({ host: "127.0.0.1", port }, { timeoutMs: 500 });
        try {
          if (protocol === "smtp") {
            const parsed = await smtpReply(client, 500);
            expect(parsed.code).toBeGreaterThanOrEqual(100);
          } else await imap(client, "NOOP");
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message.length).toBeGreaterThan(0);
        } finally {
          client.close();
        }
      }),
      { numRuns: 80 },
    );
  });
});
