import { type FileHandle, mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

import { FinishedStatusSchema as TaskStatusSchema } from "./events.ts";

export const JournalEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("run-started"),
    at: z.number(),
    runId: z.string(),
    matrix: z.array(z.string()),
    tasks: z.array(z.string()),
    resumed: z.boolean(),
    /** Why the run was started, when not by hand (a schedule, an archive change). */
    reason: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal("task-started"), at: z.number(), task: z.string() }),
  z.object({
    type: z.literal("task-finished"),
    at: z.number(),
    task: z.string(),
    status: TaskStatusSchema,
    durationMs: z.number(),
    message: z.string().optional(),
    /** Plain data the next tasks (and a resume) need: image dir, VM name, report paths... */
    outputs: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({ type: z.literal("run-finished"), at: z.number(), status: z.enum(["passed", "failed", "interrupted"]) }),
]);
export type JournalEvent = z.infer<typeof JournalEventSchema>;
export type JournalEventInput = z.input<typeof JournalEventSchema>;

/** An append-only journal.ndjson: one event per line, each on disk (fdatasync) before append returns. */
export class Journal {
  readonly path: string;
  private readonly file: FileHandle;

  private constructor(path: string, file: FileHandle) {
    this.path = path;
    this.file = file;
  }

  static async open(path: string): Promise<Journal> {
    await mkdir(dirname(path), { recursive: true });
    return new Journal(path, await open(path, "a"));
  }

  async append(event: JournalEventInput): Promise<JournalEvent> {
    const parsed = JournalEventSchema.parse(event);
    await this.file.appendFile(`${JSON.stringify(parsed)}\n`);
    await this.file.datasync();
    return parsed;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** The journal's events; a torn last line (the writer was killed mid-write) is dropped, a torn middle line is an error. */
export async function readJournal(path: string): Promise<JournalEvent[]> {
  const lines = (await readFile(path, "utf8")).split("\n");
  const events: JournalEvent[] = [];
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    const isLast = lines.slice(index + 1).every((rest) => !rest.trim());
    try {
      events.push(JournalEventSchema.parse(JSON.parse(line)));
    } catch (error) {
      if (!isLast) throw new Error(`${path}:${index + 1} is not a journal event: ${(error as Error).message}`);
    }
  });
  return events;
}

export interface RunStatus {
  runId?: string;
  status: "running" | "passed" | "failed" | "interrupted";
  tasks: Record<
    string,
    {
      state: "pending" | "running" | z.infer<typeof TaskStatusSchema>;
      startedAt?: number;
      durationMs?: number;
      message?: string;
      outputs?: Record<string, unknown>;
    }
  >;
}

/** Pure: the run's status from its events (status.json is this, written after each event). */
export function replayJournal(events: JournalEvent[]): RunStatus {
  const status: RunStatus = { status: "running", tasks: {} };
  for (const event of events) {
    switch (event.type) {
      case "run-started":
        status.runId = event.runId;
        status.status = "running";
        for (const task of event.tasks) status.tasks[task] ??= { state: "pending" };
        break;
      case "task-started":
        status.tasks[event.task] = { state: "running", startedAt: event.at };
        break;
      case "task-finished":
        status.tasks[event.task] = {
          ...status.tasks[event.task],
          state: event.status,
          durationMs: event.durationMs,
          message: event.message,
          outputs: event.outputs,
        };
        break;
      case "run-finished":
        status.status = event.status;
        break;
    }
  }
  return status;
}

/** Pure: on resume, tasks the journal shows started but not finished (their processes and partial files need cleaning up). */
export function interruptedTasks(status: RunStatus): string[] {
  return Object.entries(status.tasks)
    .filter(([, task]) => task.state === "running")
    .map(([id]) => id);
}
