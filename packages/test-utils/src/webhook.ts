import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every accepted request: its path and its JSON body. */
  received: Array<{ path: string; body: unknown }>;
  /** Waits until `count` requests were accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real webhook endpoint on loopback that takes JSON; its first `failures` requests get a 503. */
export async function startWebhookReceiver(options: { failures?: number } = {}): Promise<WebhookReceiver> {
  let failures = options.failures ?? 0;
  const received: WebhookReceiver["received"] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (failures > 0) {
      failures -= 1;
      response.writeHead(503).end();
      return;
    }
    received.push({ path: request.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString()) });
    response.writeHead(200).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`the webhook received ${received.length} of ${count} requests within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
