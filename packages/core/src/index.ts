export * from "./errors.ts";
export * from "./files.ts";
export * from "./hedge.ts";
export * from "./logger.ts";
export * from "./paths.ts";
export * from "./proc.ts";
