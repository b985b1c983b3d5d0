import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Summary {
  n: number;
  median: number;
  p90: number;
  max: number;
  min: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { n: sorted.length, median: median(sorted), p90: at(0.9), max: sorted.at(-1) ?? Number.NaN, min: sorted[0] ?? Number.NaN };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Prints a benchmark's numbers and keeps them in bench/results/<name>.json. */
export function report(name: string, data: Record<string, unknown>): void {
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ name, at: new Date().toISOString(), ...data }, null, 2)}\n`);
  console.log(JSON.stringify({ name, ...data }, null, 2));
}
