import { ErrorCodes } from "@msf/core";
import { RunEventSchema } from "@msf/run";
import { z } from "zod";
import { SCHEMA_VERSION } from "./reporters/index.ts";

const envelope = { schemaVersion: z.literal(SCHEMA_VERSION) };
const listed = ["error", "result", ...RunEventSchema.options.map((event) => event.shape.type.value)];

/**
 * One line of `--json` output: one of the run's events, the result (each command's own object), an
 * error (always this shape), or another progress event of a command (its `type` names it).
 */
export const JsonLineSchema = z.union([
  ...RunEventSchema.options.map((event) => event.extend(envelope)),
  z.object({
    ...envelope,
    type: z.literal("error"),
    code: z.enum([...ErrorCodes, "ERR_MSF_INTERNAL"]),
    message: z.string(),
    hint: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  z.looseObject({ ...envelope, type: z.literal("result") }),
  z.looseObject({ ...envelope, type: z.string().regex(new RegExp(`^(?!(${listed.join("|")})$)[a-z-]+$`), "a command's own event type") }),
]);
