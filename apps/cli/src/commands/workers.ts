import { connectRedis, listWorkers } from "@msf/queue";
import { z } from "zod";
import { command } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { duration, table } from "../format.ts";
import { requireQueueUrl } from "../values.ts";

export default command(z.object({ queue: z.string().optional() }), async ({ reporter, ctx, input }) => {
  const redis = await connectRedis(requireQueueUrl(input.queue, ctx.env));
  try {
    const workers = await listWorkers(redis);
    const now = Date.now();
    const rows = workers.map((w) => [
      w.id,
      w.host,
      w.state,
      `${w.accel} ${w.arch}`,
      `${w.cpus} CPUs, ${Math.round(w.memoryMiB / 1024)} GiB, ${Math.round(w.diskFreeMiB / 1024)} GiB free`,
      `${w.holding.length}/${w.slots}`,
      w.current.join(", ") || "-",
      `${duration(now - w.seenAt)} ago`,
    ]);
    reporter.result(
      { workers },
      workers.length
        ? table(["worker", "host", "state", "accelerator", "offers", "slots used", "running", "seen"], rows)
        : "no workers have registered (msf worker --queue <url> on each test host)",
    );
    return EXIT_OK;
  } finally {
    redis.disconnect();
  }
});
