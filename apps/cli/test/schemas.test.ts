import { RunConfigSchema } from "@msf/run";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JsonLineSchema } from "../src/json-lines.ts";

// The published JSON Schemas come from the zod schemas msf validates with: regenerate with `vitest -u`.
const pretty = (schema: z.ZodType) => `${JSON.stringify(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }), null, 2)}\n`;

describe("JSON Schemas in docs/schemas", () => {
  it("msf.config.yaml", async () => {
    await expect(pretty(RunConfigSchema)).toMatchFileSnapshot("../../../docs/schemas/msf-config.schema.json");
  });

  it("a --json line", async () => {
    await expect(pretty(JsonLineSchema)).toMatchFileSnapshot("../../../docs/schemas/json-line.schema.json");
    expect(JsonLineSchema.safeParse({ schemaVersion: 1, type: "task-finished", task: "debian-12:boot", status: "done", durationMs: 1 }).success).toBe(true);
    expect(JsonLineSchema.safeParse({ schemaVersion: 1, type: "error", code: "ERR_MSF_NOPE", message: "x" }).success).toBe(false);
  });
});
