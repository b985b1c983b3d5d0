import { startWorker } from "@msf/queue";
import { z } from "zod";
import { command, untilInterrupted } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { countValue, requireQueueUrl } from "../values.ts";

export default command(
  z.object({
    queue: z.string().optional(),
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, dot, dash or underscore (at most 64)")
      .optional(),
    slots: countValue.optional(),
  }),
  async ({ reporter, ctx, input }) => {
    const url = requireQueueUrl(input.queue, ctx.env);
    const worker = await startWorker({ url, ctx, id: input.id, slots: input.slots, onLog: (line) => reporter.event({ type: "worker-log", line }, line) });
    if (worker.warning) reporter.event({ type: "warning", message: worker.warning }, worker.warning);
    const info = worker.info();
    reporter.event(
      { type: "worker-ready", worker: info },
      `msf worker ${info.id}: takes steps from the queue (${info.accel}, ${info.cpus} CPUs, ${info.memoryMiB} MiB, ${info.diskFreeMiB} MiB free disk, ${info.slots} distribution(s) at once); Ctrl-C stops`,
    );
    // Ctrl-C: the running steps stop, what the worker holds (its VMs) is cleaned up, it leaves the registry.
    await untilInterrupted(ctx.signal);
    await worker.close();
    reporter.result({ worker: info.id, stopped: true }, `msf worker ${info.id}: stopped`);
    return EXIT_OK;
  },
);
